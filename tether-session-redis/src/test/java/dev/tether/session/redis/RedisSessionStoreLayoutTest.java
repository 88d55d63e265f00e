package dev.tether.session.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.testing.time.SettableClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the store leaves in Redis: safety-net TTLs, tombstones, the expiry index. */
class RedisSessionStoreLayoutTest {

  private static final String PREFIX = RedisTestServer.uniquePrefix("layout");
  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final Duration MARGIN = Duration.ofMinutes(10);

  private final SettableClock clock =
      new SettableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
  private final BucketKeys keys = new BucketKeys(PREFIX, 1);
  private RedisSessionStore store;
  private RedisClient admin;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;

  @BeforeEach
  void open() {
    store =
        new RedisSessionStore(
            RedisSessionStoreConfig.standalone(RedisTestServer.uri()).withKeyPrefix(PREFIX), clock);
    admin = RedisTestServer.client();
    connection = admin.connect();
    redis = connection.sync();
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
    if (connection != null) {
      connection.close();
    }
    if (admin != null) {
      admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @AfterAll
  static void deleteKeys() {
    RedisTestServer.deleteKeys(PREFIX);
  }

  @Test
  void sessionKeyLivesItsLogicalLifetimePlusTheMarginRelativeToNow() {
    String id = create();
    long ttl = redis.pttl(key(keys.session(id)));
    assertThat(ttl)
        .isGreaterThan(IDLE.toMillis())
        .isLessThanOrEqualTo(IDLE.plus(MARGIN).toMillis());

    clock.advance(Duration.ofMinutes(20));
    store.save(SessionDelta.builder(id, 1).lastAccessedAt(clock.instant()).build());

    assertThat(redis.pttl(key(keys.session(id))))
        .as("the TTL follows the store's clock: still idle + margin after an access")
        .isGreaterThan(IDLE.toMillis());
    assertThat(redis.zscore(key(keys.expiry(0)), id))
        .isEqualTo((double) clock.instant().plus(IDLE).toEpochMilli());
  }

  @Test
  void deleteLeavesATombstoneForAtLeastTheIdleTimeoutAndNoIndexEntries() {
    String id = create();
    store.delete(id);

    assertThat(redis.exists(key(keys.session(id)))).isZero();
    assertThat(redis.pttl(key(keys.tombstone(id)))).isGreaterThanOrEqualTo(IDLE.toMillis());
    assertThat(redis.zscore(key(keys.expiry(0)), id)).isNull();
    assertThat(redis.smembers(key(keys.principal(0, "dora")))).doesNotContain(id);
  }

  @Test
  void aTombstoneEndsByTheStoresClockNotByRedisTime() {
    String id = create();
    store.delete(id);
    SessionRecord again = SessionRecord.create(id, clock.instant(), IDLE, IDLE, null, Map.of());
    assertThat(store.create(again).outcome()).isEqualTo(SaveResult.Outcome.ID_TAKEN);

    clock.advance(IDLE);

    SessionRecord later = SessionRecord.create(id, clock.instant(), IDLE, IDLE, null, Map.of());
    assertThat(store.create(later).outcome()).isEqualTo(SaveResult.Outcome.SAVED);
  }

  @Test
  void anExpiredButUnsweptSessionStillHoldsItsIdSoTheSweepCanReportIt() {
    String id = create();
    clock.advance(IDLE);

    SessionRecord again = SessionRecord.create(id, clock.instant(), IDLE, IDLE, null, Map.of());
    assertThat(store.create(again).outcome()).isEqualTo(SaveResult.Outcome.ID_TAKEN);
    assertThat(store.sweepExpired(10)).extracting(SessionRecord::id).contains(id);
    assertThat(redis.exists(key(keys.session(id)))).isZero();
  }

  private String create() {
    String id = "s" + UUID.randomUUID().toString().replace("-", "");
    SaveResult r =
        store.create(
            SessionRecord.create(
                id, clock.instant(), IDLE, Duration.ofHours(8), "dora", Map.of("k", bytes("v"))));
    assertThat(r.isSaved()).isTrue();
    return id;
  }

  private static String key(byte[] k) {
    return new String(k, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
