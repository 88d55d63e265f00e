package dev.tether.session.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.redis.RedisSessionStoreConfig.Mode;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared contract through Sentinel (master, replica and Sentinel started by the test), and a
 * failover: the store follows the new master and its empty script cache.
 */
class RedisSentinelSessionStoreTest extends SessionStoreContract {

  @TempDir static Path dir;

  private static LocalRedisSentinel sentinel;

  @BeforeAll
  static void startSentinel() throws Exception {
    sentinel = LocalRedisSentinel.start(dir);
  }

  @AfterAll
  static void stopSentinel() {
    if (sentinel != null) {
      sentinel.close();
    }
  }

  @Override
  protected SessionStore createStore(Clock clock) {
    return new RedisSessionStore(
        new RedisSessionStoreConfig(
            List.of(sentinel.uri()),
            Mode.SENTINEL,
            "tether:session:",
            1,
            Duration.ofMinutes(10),
            Duration.ofSeconds(5)),
        clock);
  }

  @Test
  void afterAFailoverSessionsAreServedByTheNewMaster() throws Exception {
    String id = create(Map.of("cart", bytes("[1]")));
    await("the session reached the replica")
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.currentVersion(id).isPresent());

    sentinel.failover();

    await("saves succeed on the new master (replica's script cache is empty: NOSCRIPT then EVAL)")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () ->
                store
                        .save(SessionDelta.builder(id, 1).set("cart", bytes("[1,2]")).build())
                        .outcome()
                    == SaveResult.Outcome.SAVED);
    assertThat(store.load(id).orElseThrow().attributeBytes("cart")).isEqualTo(bytes("[1,2]"));
  }
}
