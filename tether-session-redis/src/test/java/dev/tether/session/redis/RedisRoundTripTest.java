package dev.tether.session.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.testing.time.SettableClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Counts the Redis commands each store call sends (Lettuce command listener): one per save, load,
 * version check, create, delete and same-bucket rotation, where spring-session's indexed repository
 * needs about seven per save (spring-session#1182).
 */
class RedisRoundTripTest {

  private static final String PREFIX = RedisTestServer.uniquePrefix("roundtrip");
  private static final Duration IDLE = Duration.ofMinutes(30);

  private final SettableClock clock =
      new SettableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
  private RedisSessionStore store;

  @BeforeEach
  void open() {
    store =
        new RedisSessionStore(
            RedisSessionStoreConfig.standalone(RedisTestServer.uri()).withKeyPrefix(PREFIX), clock);
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @AfterAll
  static void deleteKeys() {
    RedisTestServer.deleteKeys(PREFIX);
  }

  @Test
  void everyCallIsOneRoundTripOnceTheScriptsAreCached() {
    String id = create("alice");
    // warm: every script the steps below use has run once (EVALSHA + EVAL on a cold server)
    store.save(SessionDelta.builder(id, 1).set("warm", bytes("w")).build());
    String gone = create(null);
    store.delete(gone);
    String rotated = create(null);
    store.rotateId(rotated, id("rotated-target"));

    assertThat(commands(() -> create("bob"))).isEqualTo(1);
    assertThat(
            commands(
                () ->
                    store.save(
                        SessionDelta.builder(id, 2)
                            .set("cart", bytes("[1,2]"))
                            .set("x", bytes("1"))
                            .remove("warm")
                            .lastAccessedAt(clock.instant())
                            .principal("carol")
                            .build())))
        .as("one save: merge, version, expiry set, principal set and TTL in one script call")
        .isEqualTo(1);
    assertThat(commands(() -> store.load(id))).isEqualTo(1);
    assertThat(commands(() -> store.currentVersion(id))).isEqualTo(1);
    assertThat(commands(() -> store.findByPrincipal("carol"))).isEqualTo(1);
    String other = create(null);
    assertThat(commands(() -> store.rotateId(other, other + "x"))).isEqualTo(1);
    assertThat(commands(() -> store.delete(id))).isEqualTo(1);
    assertThat(commands(() -> store.save(SessionDelta.builder(id, 3).set("a", bytes("a")).build())))
        .as("a save on a deleted session is one call too, answering GONE")
        .isEqualTo(1);
  }

  @Test
  void aFlushedScriptCacheCostsOneExtraCallAndTheSaveStillHappens() {
    String id = create(null);
    store.save(SessionDelta.builder(id, 1).set("a", bytes("1")).build());
    RedisClient admin = RedisTestServer.client();
    try (StatefulRedisConnection<String, String> c = admin.connect()) {
      c.sync().scriptFlush();
    } finally {
      admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    long[] n = new long[1];
    SaveResult r =
        measure(() -> store.save(SessionDelta.builder(id, 2).set("a", bytes("2")).build()), n);

    assertThat(n[0]).as("EVALSHA answered NOSCRIPT, then EVAL").isEqualTo(2);
    assertThat(r).isEqualTo(SaveResult.saved(3));
    assertThat(store.load(id).orElseThrow().attributeBytes("a")).isEqualTo(bytes("2"));
    assertThat(commands(() -> store.save(SessionDelta.builder(id, 3).remove("a").build())))
        .as("EVAL cached the script again")
        .isEqualTo(1);
  }

  private String create(String principal) {
    String id = id("s");
    SaveResult r =
        store.create(
            SessionRecord.create(
                id,
                clock.instant(),
                IDLE,
                Duration.ofHours(8),
                principal,
                Map.of("k", bytes("v"))));
    assertThat(r.isSaved()).isTrue();
    return id;
  }

  private long commands(Supplier<?> call) {
    long[] n = new long[1];
    measure(call, n);
    return n[0];
  }

  private <T> T measure(Supplier<T> call, long[] count) {
    long before = store.commandsSent();
    T result = call.get();
    count[0] = store.commandsSent() - before;
    return result;
  }

  private static String id(String hint) {
    return hint + UUID.randomUUID().toString().replace("-", "");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
