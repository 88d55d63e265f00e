package dev.tether.session.redis;

import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;

/** The Redis store against the shared contract, one bucket; peers are separate connections. */
class RedisSessionStoreTest extends SessionStoreContract {

  private static final String PREFIX = RedisTestServer.uniquePrefix("contract");

  @Override
  protected SessionStore createStore(Clock clock) {
    return new RedisSessionStore(
        RedisSessionStoreConfig.standalone(RedisTestServer.uri()).withKeyPrefix(PREFIX), clock);
  }

  @AfterAll
  static void deleteKeys() {
    RedisTestServer.deleteKeys(PREFIX);
  }
}
