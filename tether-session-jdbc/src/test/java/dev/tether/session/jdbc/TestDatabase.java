package dev.tether.session.jdbc;

import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;

/**
 * A database for one test class: a pool and a random table prefix, so parallel or repeated runs
 * never share tables; {@link #close()} drops the tables and closes the pool. Servers are found only
 * through {@code TETHER_TEST_<KIND>_URL/_USER/_PASSWORD}; when unset the class is skipped, or fails
 * when {@code TETHER_REQUIRE_SERVICES=true}.
 */
record TestDatabase(HikariDataSource pool, String prefix) implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** An in-memory H2 database private to this JVM. */
  static TestDatabase h2() {
    String name = "tether" + randomSuffix();
    return open("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000", "sa", "");
  }

  /** The server named by {@code TETHER_TEST_<kind>_*}, e.g. kind {@code PG} or {@code MARIADB}. */
  static TestDatabase fromEnvironment(String kind) {
    return fromEnvironment(kind, true);
  }

  /**
   * Like {@link #fromEnvironment(String)}; without {@code readCommittedPool} the pool hands out the
   * server's default isolation (MariaDB: REPEATABLE READ), as a data source a user passes might.
   */
  static TestDatabase fromEnvironment(String kind, boolean readCommittedPool) {
    String var = "TETHER_TEST_" + kind + "_URL";
    String url = System.getenv(var);
    if (url == null || url.isBlank()) {
      String message = var + " is not set, so the " + kind + " session store tests cannot run";
      if ("true".equalsIgnoreCase(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        fail(message + " (TETHER_REQUIRE_SERVICES=true)");
      }
      Assumptions.assumeTrue(false, message + "; skipped");
    }
    return open(
        url,
        System.getenv("TETHER_TEST_" + kind + "_USER"),
        System.getenv("TETHER_TEST_" + kind + "_PASSWORD"),
        readCommittedPool);
  }

  private static TestDatabase open(String url, String user, String password) {
    return open(url, user, password, true);
  }

  private static TestDatabase open(
      String url, String user, String password, boolean readCommittedPool) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(1);
    if (readCommittedPool) {
      config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    }
    return new TestDatabase(new HikariDataSource(config), "t" + randomSuffix() + "_");
  }

  static String randomSuffix() {
    return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36).toLowerCase(Locale.ROOT);
  }

  /** Drops the tables of {@code tablePrefix}. */
  void drop(String tablePrefix) throws SQLException {
    TableNames t = new TableNames(tablePrefix);
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      for (String table : new String[] {t.attributes(), t.sessions(), t.schemaVersion()}) {
        s.execute("DROP TABLE IF EXISTS " + table);
      }
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      drop(prefix);
    } finally {
      pool.close();
    }
  }
}
