package dev.tether.proxy.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.route.SharedRateLimitIntegrationTest;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two instances' shared limit against the real Redis, on an injected wall clock, waiting for each
 * count's reply.
 */
class SharedRateLimitTest {

  private final AtomicLong wall = new AtomicLong(1_000_000_020_000L); // the start of a minute
  private final String namespace = "test-" + UUID.randomUUID();

  @Test
  void eachInstanceLearnsFromItsRepliesWhenTheAllowanceIsUsed() {
    String redis = SharedRateLimitIntegrationTest.redisUri();
    try (SharedRateLimit a =
            new SharedRateLimit(redis, namespace, Duration.ofMinutes(1), 5, wall::get);
        SharedRateLimit b =
            new SharedRateLimit(redis, namespace, Duration.ofMinutes(1), 5, wall::get)) {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                a.count("warm-up").join(); // both connected
                b.count("warm-up").join();
                return !a.down() && !b.down();
              });
      for (int i = 0; i < 4; i++) {
        (i % 2 == 0 ? a : b).count("k").join();
      }
      assertThat(a.blockedMillis("k")).isZero();
      assertThat(b.blockedMillis("k")).isZero();

      a.count("k").join(); // the fifth: the allowance is used
      assertThat(a.blockedMillis("k")).isEqualTo(60_000);
      assertThat(b.blockedMillis("k")).isZero(); // b has not heard yet
      b.count("k").join();
      assertThat(b.blockedMillis("k")).isEqualTo(60_000);
      assertThat(a.blockedMillis("other")).isZero();

      wall.addAndGet(15_000);
      assertThat(a.blockedMillis("k")).isEqualTo(45_000);
      wall.addAndGet(45_000); // the next window
      assertThat(a.blockedMillis("k")).isZero();
      a.count("k").join();
      assertThat(a.blockedMillis("k")).isZero();
    }
  }

  @Test
  void anUnreachableRedisBlocksNothing() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (SharedRateLimit a =
        new SharedRateLimit(
            "redis://127.0.0.1:" + port, namespace, Duration.ofSeconds(1), 1, wall::get)) {
      for (int i = 0; i < 5; i++) {
        a.count("k").join();
      }
      assertThat(a.blockedMillis("k")).isZero();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(a::down);
    }
  }
}
