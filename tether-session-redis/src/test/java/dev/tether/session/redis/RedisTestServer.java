package dev.tether.session.redis;

import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The Redis the tests run against, found only through {@code TETHER_TEST_REDIS_URI}. Unset: the
 * test fails when {@code TETHER_REQUIRE_SERVICES=true} (CI), else it is skipped.
 */
final class RedisTestServer {

  static final String URI_VARIABLE = "TETHER_TEST_REDIS_URI";

  private RedisTestServer() {}

  /** The URI of the test Redis, or the test is skipped (or failed in CI). */
  static String uri() {
    String uri = System.getenv(URI_VARIABLE);
    if (uri == null || uri.isBlank()) {
      if ("true".equals(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        fail(
            URI_VARIABLE
                + " is not set but TETHER_REQUIRE_SERVICES=true: start Redis and export"
                + " e.g. "
                + URI_VARIABLE
                + "=redis://127.0.0.1:6379");
      }
      Assumptions.assumeTrue(false, URI_VARIABLE + " is not set: Redis tests skipped");
    }
    return uri;
  }

  /** A key prefix no other run uses. */
  static String uniquePrefix(String what) {
    return "tether-test:" + what + ":" + UUID.randomUUID() + ":";
  }

  /** A plain String client for inspecting keys; the caller closes it. */
  static RedisClient client() {
    return RedisClient.create(uri());
  }

  /** Deletes every key starting with {@code prefix}; returns how many. */
  static long deleteKeys(String prefix) {
    String uri = System.getenv(URI_VARIABLE);
    return uri == null || uri.isBlank() ? 0 : deleteKeys(uri, prefix);
  }

  /** Deletes every key starting with {@code prefix} in the Redis at {@code uri}. */
  static long deleteKeys(String uri, String prefix) {
    RedisClient c = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      RedisCommands<String, String> redis = conn.sync();
      long deleted = 0;
      ScanArgs match = ScanArgs.Builder.matches(escape(prefix) + "*").limit(1000);
      KeyScanCursor<String> cursor = redis.scan(ScanCursor.INITIAL, match);
      while (true) {
        if (!cursor.getKeys().isEmpty()) {
          deleted += redis.unlink(cursor.getKeys().toArray(String[]::new));
        }
        if (cursor.isFinished()) {
          return deleted;
        }
        cursor = redis.scan(cursor, match);
      }
    } finally {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static String escape(String glob) {
    return glob.replaceAll("([\\\\*?\\[\\]])", "\\\\$1");
  }
}
