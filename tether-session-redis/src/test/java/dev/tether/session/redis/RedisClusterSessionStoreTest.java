package dev.tether.session.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.redis.RedisSessionStoreConfig.Mode;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared contract on a real three-master Redis Cluster started by the test: every script's keys
 * must share a slot (or Redis answers CROSSSLOT), rotation crosses slots, the sweep and the
 * principal look-up visit buckets on all masters.
 */
class RedisClusterSessionStoreTest extends SessionStoreContract {

  @TempDir static Path dir;

  private static LocalRedisCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = LocalRedisCluster.start(dir);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected SessionStore createStore(Clock clock) {
    return new RedisSessionStore(
        new RedisSessionStoreConfig(
            cluster.uris(),
            Mode.CLUSTER,
            "tether:session:",
            RedisSessionStoreProvider.DEFAULT_CLUSTER_BUCKETS,
            Duration.ofMinutes(10),
            Duration.ofSeconds(10)),
        clock);
  }

  @Test
  void sessionsLandOnEveryMasterAndSurviveASaveEach() {
    Set<Integer> buckets = new HashSet<>();
    BucketKeys keys =
        new BucketKeys("tether:session:", RedisSessionStoreProvider.DEFAULT_CLUSTER_BUCKETS);
    for (int i = 0; i < 64; i++) {
      String id = create(Map.of("n", bytes("" + i)));
      buckets.add(keys.bucketOf(id));
      assertThat(store.save(SessionDelta.builder(id, 1).set("n", bytes("x" + i)).build()).isSaved())
          .isTrue();
      assertThat(store.load(id).map(SessionRecord::version)).contains(2L);
    }
    assertThat(buckets).as("64 random ids spread over the 16 buckets").hasSizeGreaterThan(8);
  }

  @Test
  void oneCommandPerSaveAndLoadOnClusterToo() {
    RedisSessionStore redis = (RedisSessionStore) store;
    String id = create(Map.of());
    redis.save(SessionDelta.builder(id, 1).set("warm", bytes("w")).build());

    long before = redis.commandsSent();
    SaveResult r = redis.save(SessionDelta.builder(id, 2).set("a", bytes("1")).build());
    long afterSave = redis.commandsSent();
    redis.load(id).orElseThrow();
    long afterLoad = redis.commandsSent();

    assertThat(r).isEqualTo(SaveResult.saved(3));
    assertThat(afterSave - before).as("commands per save").isEqualTo(1);
    assertThat(afterLoad - afterSave).as("commands per load").isEqualTo(1);
  }
}
