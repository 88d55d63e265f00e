package dev.tether.session.redis;

import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;

/**
 * The shared contract with the Cluster key layout (eight buckets) on one server: exercises the
 * sweep over several expiry sets, the principal look-up across buckets and rotation across buckets
 * (reserve, detach, attach).
 */
class RedisBucketedSessionStoreTest extends SessionStoreContract {

  private static final String PREFIX = RedisTestServer.uniquePrefix("buckets");

  @Override
  protected SessionStore createStore(Clock clock) {
    return new RedisSessionStore(
        RedisSessionStoreConfig.standalone(RedisTestServer.uri())
            .withKeyPrefix(PREFIX)
            .withBuckets(8),
        clock);
  }

  @AfterAll
  static void deleteKeys() {
    RedisTestServer.deleteKeys(PREFIX);
  }
}
