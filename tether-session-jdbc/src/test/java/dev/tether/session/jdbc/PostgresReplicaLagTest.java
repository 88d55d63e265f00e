package dev.tether.session.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import dev.tether.testing.time.SettableClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes with a real PostgreSQL streaming replica that lags (replay paused with {@code
 * pg_wal_replay_pause()}) or goes away mid-run (a relay in front of it cut; the shared replica
 * itself keeps running): session loads and version checks always see the last write, principal
 * listings come from the replica while it answers and from the primary when it does not.
 */
class PostgresReplicaLagTest {

  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final Duration ABSOLUTE = Duration.ofHours(8);

  private static TestDatabase db;
  private static PgReplica replica;

  @BeforeAll
  static void open() {
    db = TestDatabase.fromEnvironment("PG");
    replica = PgReplica.fromEnvironment();
  }

  @AfterAll
  static void close() throws Exception {
    if (replica != null) {
      replica.resumeReplay();
      replica.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void sessionReadsSeeTheLastWriteWhileTheReplicaLagsAndListingsComeFromTheReplica() {
    Clock clock = Clock.systemUTC();
    try (JdbcSessionStore a = storeWithReplica(clock);
        JdbcSessionStore b = storeWithReplica(clock)) {
      String principal = "lag-" + TestDatabase.randomSuffix();
      String first = login(a, principal, clock);
      replica.awaitCaughtUp(db.pool());
      assertThat(a.findByPrincipal(principal)).containsExactly(first);

      replica.pauseReplay();
      try {
        String second = login(a, principal, clock);
        // the listing is the replica's: the login it has not replayed is not in it yet
        assertThat(a.findByPrincipal(principal)).containsExactly(first);
        assertThat(b.findByPrincipal(principal)).containsExactly(first);

        long version = 1;
        for (int i = 0; i < 200; i++) {
          SessionStore writer = i % 2 == 0 ? a : b;
          SessionStore reader = i % 2 == 0 ? b : a;
          SaveResult r =
              writer.save(SessionDelta.builder(first, version).set("n", bytes("" + i)).build());
          assertThat(r.isSaved()).isTrue();
          assertThat(r.version()).isEqualTo(version + 1);
          version = r.version();
          assertThat(reader.currentVersion(first)).hasValue(version);
          SessionRecord loaded = reader.load(first).orElseThrow();
          assertThat(loaded.version()).isEqualTo(version);
          assertThat(loaded.attributes().get("n").bytes()).isEqualTo(bytes("" + i));
        }
        assertThat(replicaVersion(first))
            .as("the replica really lags: it still holds the first version")
            .isEqualTo(1);
        assertThat(a.replicaReads().servedByReplica()[0]).isEqualTo(2);
        assertThat(a.replicaReads().servedByPrimary()).isZero();
        assertThat(second).isNotEqualTo(first);
      } finally {
        replica.resumeReplay();
      }
      await("the replica replays the second login")
          .atMost(Duration.ofSeconds(20))
          .until(() -> a.findByPrincipal(principal).size() == 2);
    }
  }

  @Test
  void whenTheReplicaGoesAwayMidRunReadsFallBackToThePrimaryAndReturnWhenItIsBack()
      throws Exception {
    Clock clock = Clock.systemUTC();
    URI replicaUri = URI.create(replica.url().substring("jdbc:".length()));
    try (TcpForwarder relay =
        new TcpForwarder(new InetSocketAddress(replicaUri.getHost(), replicaUri.getPort()))) {
      Map<String, String> settings = new HashMap<>();
      settings.put("url", System.getenv("TETHER_TEST_PG_URL"));
      settings.put("user", System.getenv("TETHER_TEST_PG_USER"));
      settings.put("password", System.getenv("TETHER_TEST_PG_PASSWORD"));
      settings.put("table-prefix", db.prefix());
      settings.put(
          "replica-urls", "jdbc:postgresql://127.0.0.1:" + relay.port() + replicaUri.getPath());
      try (JdbcSessionStore s =
          (JdbcSessionStore)
              CircuitBreakingStore.unwrap(SessionStoreRegistry.create("jdbc", settings, clock))) {
        ReplicaReads reads = s.replicaReads();
        String principal = "away-" + TestDatabase.randomSuffix();
        List<String> logins = new ArrayList<>();
        logins.add(login(s, principal, clock));
        replica.awaitCaughtUp(db.pool());
        assertThat(s.findByPrincipal(principal)).containsExactlyElementsOf(logins);
        assertThat(reads.servedByReplica()[0]).isEqualTo(1);

        String id = logins.get(0);
        long version = 1;
        for (int i = 0; i < 120; i++) {
          if (i == 40) {
            relay.cut(); // the replica is away from here on, its pooled connections broken
          }
          SaveResult r = s.save(SessionDelta.builder(id, version).set("n", bytes("" + i)).build());
          assertThat(r.isSaved()).isTrue();
          version = r.version();
          assertThat(s.load(id).orElseThrow().version()).isEqualTo(version);
          assertThat(s.currentVersion(id)).hasValue(version);
          if (i >= 40 && i % 10 == 0) {
            logins.add(login(s, principal, clock));
            // from the primary now: exact, the newest login included
            assertThat(s.findByPrincipal(principal)).containsExactlyInAnyOrderElementsOf(logins);
          }
        }
        assertThat(reads.isDown(0)).isTrue();
        long fromPrimary = reads.servedByPrimary();
        assertThat(fromPrimary).isGreaterThanOrEqualTo(8);

        relay.restore();
        long fromReplica = reads.servedByReplica()[0];
        await("lag-tolerant reads return to the replica after its back-off")
            .atMost(Duration.ofSeconds(2 * ReplicaReads.MAX_BACKOFF_MS / 1000))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  s.findByPrincipal(principal);
                  return reads.servedByReplica()[0] > fromReplica;
                });
        replica.awaitCaughtUp(db.pool());
        assertThat(s.findByPrincipal(principal)).containsExactlyInAnyOrderElementsOf(logins);
        assertThat(reads.isDown(0)).isFalse();
      }
    }
  }

  @Test
  void aSweepOverALaggingReplicaSweepsWhatIsExpiredOnThePrimaryAndNothingElse() {
    SettableClock clock = new SettableClock(Instant.parse("2026-06-01T00:00:00Z"));
    try (JdbcSessionStore s = storeWithReplica(clock)) {
      String principal = "sweep-" + TestDatabase.randomSuffix();
      String kept = login(s, principal, clock);
      String expired = login(s, principal, clock);
      replica.awaitCaughtUp(db.pool());
      replica.pauseReplay();
      try {
        clock.advance(Duration.ofMinutes(20));
        // used again: on the primary its expiry moves 20 minutes on; the replica does not know
        assertThat(
                s.save(SessionDelta.builder(kept, 1).lastAccessedAt(clock.instant()).build())
                    .isSaved())
            .isTrue();
        String young = login(s, principal, clock); // not on the replica at all
        clock.advance(Duration.ofMinutes(15)); // past the first two's original expiry only

        long scans = s.replicaReads().servedByReplica()[0];
        List<SessionRecord> swept = s.sweepExpired(1000);

        assertThat(s.replicaReads().servedByReplica()[0]).isEqualTo(scans + 1);
        assertThat(swept).extracting(SessionRecord::id).containsExactly(expired);
        assertThat(s.load(kept)).isPresent();
        assertThat(s.load(young)).isPresent();
        assertThat(s.sweepExpired(1000)).as("claimed once").isEmpty();
      } finally {
        replica.resumeReplay();
      }
    }
  }

  private static JdbcSessionStore storeWithReplica(Clock clock) {
    return new JdbcSessionStore(db.pool(), List.of(replica.pool()), db.prefix(), clock);
  }

  private static String login(SessionStore s, String principal, Clock clock) {
    String id = "r" + TestDatabase.randomSuffix() + TestDatabase.randomSuffix();
    SessionRecord r =
        SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, principal, Map.of());
    assertThat(s.create(r).isSaved()).isTrue();
    return id;
  }

  private static long replicaVersion(String id) {
    String sql =
        "SELECT version FROM " + new TableNames(db.prefix()).sessions() + " WHERE session_id = ?";
    DataSource ds = replica.pool();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
