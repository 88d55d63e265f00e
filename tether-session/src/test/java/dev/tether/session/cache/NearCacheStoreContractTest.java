package dev.tether.session.cache;

import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;

/** The near cache over the memory store must behave like any store: each instance is a node. */
class NearCacheStoreContractTest extends SessionStoreContract {

  private MemorySessionStore backend;

  @Override
  protected SessionStore createStore(Clock clock) {
    if (backend == null) {
      backend = new MemorySessionStore(clock);
      return new NearCacheStore(backend, 1000);
    }
    return new NearCacheStore(backend.peer(clock), 1000);
  }
}
