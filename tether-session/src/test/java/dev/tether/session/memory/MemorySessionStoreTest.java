package dev.tether.session.memory;

import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;

/** The in-memory store against the shared contract; peers share one store's data. */
class MemorySessionStoreTest extends SessionStoreContract {

  private MemorySessionStore first;

  @Override
  protected SessionStore createStore(Clock clock) {
    if (first == null) {
      first = new MemorySessionStore(clock);
      return first;
    }
    return first.peer(clock);
  }
}
