package dev.tether.session.spi;

import static java.util.Objects.requireNonNull;

import dev.tether.session.circuit.CircuitBreakerSettings;
import dev.tether.session.circuit.CircuitBreakingStore;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Finds {@link SessionStoreProvider}s on the class path by name. */
public final class SessionStoreRegistry {

  private SessionStoreRegistry() {}

  /** The providers on the class path, by name. */
  public static Map<String, SessionStoreProvider> providers() {
    Map<String, SessionStoreProvider> byName = new TreeMap<>();
    for (SessionStoreProvider p : ServiceLoader.load(SessionStoreProvider.class)) {
      byName.putIfAbsent(p.name(), p);
    }
    return byName;
  }

  /**
   * Builds the store called {@code name}.
   *
   * @throws IllegalArgumentException when no provider has that name (the message lists the known
   *     names and hints at the missing module) or the settings are wrong
   */
  public static SessionStore create(String name, Map<String, String> settings, Clock clock) {
    requireNonNull(name, "name");
    requireNonNull(settings, "settings");
    requireNonNull(clock, "clock");
    Map<String, SessionStoreProvider> all = providers();
    SessionStoreProvider p = all.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown session store '"
              + name
              + "'; available: "
              + all.keySet()
              + " (each store other than memory needs its module, e.g. tether-session-"
              + name
              + ", on the class path)");
    }
    return create(p, settings, clock);
  }

  /**
   * Builds {@code provider}'s store from {@code settings}, behind a {@link CircuitBreakingStore}
   * when the {@code circuit.*} settings ({@link CircuitBreakerSettings#fromSettings}) or, without
   * {@code circuit.enabled}, {@link SessionStoreProvider#circuitBreakerByDefault()} say so. The
   * provider gets the settings without the {@code circuit.*} keys.
   *
   * @throws IllegalArgumentException for a bad setting, naming it and what is allowed
   */
  public static SessionStore create(
      SessionStoreProvider provider, Map<String, String> settings, Clock clock) {
    requireNonNull(provider, "provider");
    requireNonNull(settings, "settings");
    requireNonNull(clock, "clock");
    CircuitBreakerSettings circuit =
        CircuitBreakerSettings.fromSettings(
            provider.name(), settings, provider.circuitBreakerByDefault());
    SessionStore store =
        provider.create(CircuitBreakerSettings.withoutCircuitKeys(settings), clock);
    try {
      return CircuitBreakingStore.wrap(store, provider.name(), circuit, clock);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Checks that {@code settings} only has keys in {@code allowed}.
   *
   * @throws IllegalArgumentException naming the unknown keys and the allowed ones
   */
  public static void requireKnownSettings(
      String store, Map<String, String> settings, Collection<String> allowed) {
    Set<String> unknown = new TreeSet<>(settings.keySet());
    unknown.removeAll(allowed);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown setting(s) "
              + unknown
              + " for session store '"
              + store
              + "'; allowed: "
              + new TreeSet<>(allowed));
    }
  }
}
