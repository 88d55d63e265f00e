package dev.tether.session.jdbc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL streaming replica of the {@code TETHER_TEST_PG_*} primary, found through {@code
 * TETHER_TEST_PG_REPLICA_URL} (same user and password); skipped when unset, or a failure when
 * {@code TETHER_REQUIRE_SERVICES=true}. {@code .ci/pg-replica.sh} starts one.
 */
record PgReplica(String url, HikariDataSource pool) implements AutoCloseable {

  static PgReplica fromEnvironment() {
    String url = System.getenv("TETHER_TEST_PG_REPLICA_URL");
    if (url == null || url.isBlank()) {
      String message =
          "TETHER_TEST_PG_REPLICA_URL is not set, so the JDBC replica tests cannot run"
              + " (source <(bash .ci/pg-replica.sh) starts a replica)";
      if ("true".equalsIgnoreCase(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        fail(message + " (TETHER_REQUIRE_SERVICES=true)");
      }
      Assumptions.assumeTrue(false, message + "; skipped");
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("test-replica");
    config.setJdbcUrl(url);
    config.setUsername(System.getenv("TETHER_TEST_PG_USER"));
    config.setPassword(System.getenv("TETHER_TEST_PG_PASSWORD"));
    config.setMaximumPoolSize(3);
    config.setMinimumIdle(0);
    config.setReadOnly(true);
    return new PgReplica(url, new HikariDataSource(config));
  }

  /** Waits until the replica has replayed everything the primary had written when called. */
  void awaitCaughtUp(DataSource primary) {
    String target = query(primary, "SELECT pg_current_wal_lsn()::text");
    await("replica replays up to " + target)
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(2))
        .until(
            () ->
                query(pool, "SELECT (pg_last_wal_replay_lsn() >= '" + target + "')::text")
                    .equals("true"));
  }

  /** Stops replaying WAL on the replica: from now on it lags behind every write. */
  void pauseReplay() {
    query(pool, "SELECT pg_wal_replay_pause()::text");
    await("replay paused")
        .atMost(Duration.ofSeconds(10))
        .until(() -> query(pool, "SELECT pg_get_wal_replay_pause_state()").equals("paused"));
  }

  /** Resumes replay; safe to call when it runs. */
  void resumeReplay() {
    query(pool, "SELECT pg_wal_replay_resume()::text");
  }

  private static String query(DataSource ds, String sql) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return String.valueOf(rs.getString(1));
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed (SQL state " + e.getSQLState() + ")", e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
