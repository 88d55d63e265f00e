package dev.tether.session.memcached;

import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;

/**
 * The Memcached store against the shared contract over the three shared nodes; fresh prefix per
 * test.
 */
class MemcachedSessionStoreTest extends SessionStoreContract {

  private String prefix;

  @Override
  protected void prepareBackend() {
    prefix = MemcachedTestNodes.uniquePrefix("contract");
  }

  @Override
  protected SessionStore createStore(Clock clock) {
    return new MemcachedSessionStore(
        MemcachedSessionStoreConfig.of(MemcachedTestNodes.nodes()).withKeyPrefix(prefix), clock);
  }
}
