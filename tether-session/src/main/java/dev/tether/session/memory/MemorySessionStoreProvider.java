package dev.tether.session.memory;

import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreProvider;
import dev.tether.session.spi.SessionStoreRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/** {@code memory}: the embedded store; takes no settings. */
public final class MemorySessionStoreProvider implements SessionStoreProvider {

  /** Off: no I/O to guard. */
  @Override
  public boolean circuitBreakerByDefault() {
    return false;
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public SessionStore create(Map<String, String> settings, Clock clock) {
    SessionStoreRegistry.requireKnownSettings(name(), settings, Set.of());
    return new MemorySessionStore(clock);
  }
}
