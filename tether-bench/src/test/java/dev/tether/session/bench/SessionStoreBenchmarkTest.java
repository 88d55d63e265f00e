package dev.tether.session.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs the benchmark for a moment on the memory store and on Redis (when {@code
 * TETHER_TEST_REDIS_URI} is set; when it is not and {@code TETHER_REQUIRE_SERVICES=true} the test
 * fails) and checks the counted figures: one Redis round trip per save, none but the version check
 * and the save on a near-cache hit, no full read on a near-cache hit.
 */
class SessionStoreBenchmarkTest {

  private static final BenchSettings SHORT =
      new BenchSettings(2, 32, Duration.ofMillis(200), 1, Duration.ofMillis(400));

  private final Clock clock = Clock.systemUTC();
  private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

  @Test
  void memoryStoreMeasuresEveryOperationAndNearCacheHitsNeverReadInFull() throws Exception {
    StoreResult r = measure(StoreTarget.MEMORY, System.getenv());

    assertMeasured(r);
    assertThat(r.redis()).isNull();
  }

  @Test
  void cookieStoreSealsAndOpensWithoutAServer() throws Exception {
    StoreResult r = measure(StoreTarget.COOKIE, Map.of());

    assertMeasured(r);
    assertThat(r.redis()).isNull();
  }

  @Test
  void aReplicaRunNeedsThePrimaryToo() throws Exception {
    BenchOptions options = new BenchOptions(List.of(StoreTarget.POSTGRESQL_REPLICA), SHORT, null);

    List<StoreOutcome> outcomes =
        SessionStoreBenchmark.run(
            options,
            Map.of("TETHER_TEST_PG_REPLICA_URL", "jdbc:postgresql://127.0.0.1:1/none"),
            clock,
            new PrintStream(progress, true, StandardCharsets.UTF_8));

    assertThat(outcomes.getFirst().status())
        .contains("postgresql-replica needs TETHER_TEST_PG_URL (the primary)");
  }

  @Test
  void redisStoreSendsOneCommandPerSaveAndNoFullReadOnANearCacheHit() throws Exception {
    StoreResult r = measure(StoreTarget.REDIS, redisEnvironment());

    assertMeasured(r);
    StoreResult.Redis redis = r.redis();
    assertThat(redis).isNotNull();
    assertThat(redis.clientPerSave()).as("round trips per save (client)").isEqualTo(1.0);
    assertThat(redis.clientPerLoad()).as("round trips per load (client)").isEqualTo(1.0);
    assertThat(redis.clientPerNearRequest())
        .as("round trips per near-cache request: version check + save")
        .isEqualTo(2.0);
    assertServer(redis.serverSave(), 1, "evalsha");
    assertServer(redis.serverLoad(), 1, "hgetall");
    assertServer(redis.serverNearRequest(), 2, "evalsha");
    if (redis.serverNearRequest().exclusive()) {
      assertThat(redis.serverNearRequest().calls())
          .as("a near-cache hit never reads the whole hash")
          .doesNotContainKey("hgetall");
    }
  }

  @Test
  void aWriteBehindTheNearCacheCostsExactlyOneFullRead() throws Exception {
    try (OpenedStore opened = new StoreOpener(Map.of(), clock, 2).open(StoreTarget.MEMORY)) {
      StoreWorkload work = new StoreWorkload(opened.store(), SHORT, clock);
      work.createSessions();
      work.primeNearCache();
      long before = work.counting().loads();

      assertThat(work.nearRequest(0, 0)).isTrue();
      assertThat(work.counting().loads()).as("a current cached session").isEqualTo(before);
      work.refreshVersions();
      assertThat(work.save(0, 0)).as("a write the near cache does not see").isTrue();
      assertThat(work.nearRequest(0, 0)).isTrue();
      assertThat(work.counting().loads())
          .as("the version check finds the newer version and reads the session in full")
          .isEqualTo(before + 1);
    }
  }

  @Test
  void aStoreWhoseServerIsNotConfiguredIsReportedAsSkipped() throws Exception {
    BenchOptions options = new BenchOptions(List.of(StoreTarget.POSTGRESQL), SHORT, null);

    List<StoreOutcome> outcomes =
        SessionStoreBenchmark.run(
            options, Map.of(), clock, new PrintStream(progress, true, StandardCharsets.UTF_8));

    assertThat(outcomes)
        .containsExactly(new StoreOutcome("postgresql", "skipped (set TETHER_TEST_PG_URL)", null));
    assertThat(ResultTable.format(SHORT, outcomes))
        .containsPattern("postgresql +skipped \\(set TETHER_TEST_PG_URL\\)");
  }

  @Test
  void commandLineIsParsedAndBadValuesAreNamed() {
    BenchOptions o =
        BenchOptions.parse("--stores", "redis,memory", "--threads", "4", "--seconds", "0.5");
    assertThat(o.stores()).containsExactly(StoreTarget.REDIS, StoreTarget.MEMORY);
    assertThat(o.settings().threads()).isEqualTo(4);
    assertThat(o.settings().round()).isEqualTo(Duration.ofMillis(500));
    assertThat(BenchOptions.parse().stores()).containsExactly(StoreTarget.values());

    assertThatThrownBy(() -> BenchOptions.parse("--stores", "cassandra"))
        .hasMessage(
            "unknown store 'cassandra'; allowed:"
                + " memory,file,h2,postgresql,postgresql-replica,mariadb,redis,memcached,cookie,grid");
    assertThatThrownBy(() -> BenchOptions.parse("--threads", "0"))
        .hasMessage("threads is 0; allowed: 1..256");
    assertThatThrownBy(() -> BenchOptions.parse("--seconds", "soon"))
        .hasMessageContaining("--seconds is 'soon'; allowed: seconds");
    assertThatThrownBy(() -> BenchOptions.parse("--fast", "yes"))
        .hasMessageStartingWith("unknown option --fast");
  }

  private StoreResult measure(StoreTarget target, Map<String, String> env) throws Exception {
    BenchOptions options = new BenchOptions(List.of(target), SHORT, null);
    List<StoreOutcome> outcomes =
        SessionStoreBenchmark.run(
            options, env, clock, new PrintStream(progress, true, StandardCharsets.UTF_8));
    assertThat(outcomes).hasSize(1);
    StoreOutcome o = outcomes.getFirst();
    assertThat(o.status()).as("%s; progress:%n%s", o.status(), progress).isEqualTo("ok");
    String table = ResultTable.format(SHORT, outcomes);
    assertThat(table).contains(target.label());
    return o.result();
  }

  private static void assertMeasured(StoreResult r) {
    for (StoreResult.Phase p : List.of(r.saves(), r.loads(), r.nearRequests())) {
      assertThat(p.perSecond()).isPositive();
      assertThat(p.ops()).isPositive();
      assertThat(p.failures()).as("failed operations, first: %s", p.firstFailure()).isZero();
      assertThat(p.p99Micros()).isGreaterThanOrEqualTo(p.p50Micros()).isPositive();
    }
    StoreResult.NearCache near = r.nearCache();
    assertThat(near.requests()).isEqualTo(r.nearRequests().ops());
    assertThat(near.fullReads()).as("full reads on near-cache hits").isZero();
    assertThat(near.hits()).as("every sticky request is a hit").isEqualTo(near.requests());
    assertThat(near.versionChecks()).isEqualTo(near.requests());
    assertThat(near.saves()).isEqualTo(near.requests());
  }

  /**
   * The server's figures equal the client's when no other client used the shared server during the
   * pass; otherwise they can only be higher, and the script still ran once per operation.
   */
  private static void assertServer(StoreResult.ServerCount c, int perOp, String command) {
    assertThat(c.clientCommands()).isEqualTo((long) perOp * c.ops());
    if (c.exclusive()) {
      assertThat(c.serverReads()).isEqualTo((long) perOp * c.ops());
    } else {
      assertThat(c.serverReads()).isGreaterThan((long) perOp * c.ops());
    }
    assertThat(c.calls().getOrDefault(command, 0L)).isGreaterThanOrEqualTo(c.ops());
  }

  private static Map<String, String> redisEnvironment() {
    String uri = System.getenv("TETHER_TEST_REDIS_URI");
    if (uri == null || uri.isBlank()) {
      if ("true".equals(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        fail(
            "TETHER_TEST_REDIS_URI is not set but TETHER_REQUIRE_SERVICES=true: start Redis and"
                + " export e.g. TETHER_TEST_REDIS_URI=redis://127.0.0.1:6379");
      }
      Assumptions.assumeTrue(false, "TETHER_TEST_REDIS_URI is not set: Redis benchmark skipped");
    }
    return Map.of("TETHER_TEST_REDIS_URI", uri);
  }
}
