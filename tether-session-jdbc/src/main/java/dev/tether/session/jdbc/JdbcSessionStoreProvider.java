package dev.tether.session.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreProvider;
import dev.tether.session.spi.SessionStoreRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * {@code jdbc}: a {@link JdbcSessionStore} over a HikariCP pool it owns (closed with the store).
 * Settings: {@code url} (required, {@code jdbc:postgresql:…}, {@code jdbc:mariadb:…}, {@code
 * jdbc:mysql:…} or {@code jdbc:h2:…}; the driver must be on the class path), {@code user}, {@code
 * password}, {@code pool-size} (1–{@value #MAX_POOL}, default {@value #DEFAULT_POOL}) and {@code
 * table-prefix} (default {@code tether_}).
 *
 * <pre>{@code
 * SessionStore s = SessionStoreRegistry.create("jdbc",
 *     Map.of("url", "jdbc:postgresql://db/app", "user", "app", "password", pw), clock);
 * }</pre>
 */
public final class JdbcSessionStoreProvider implements SessionStoreProvider {

  static final int DEFAULT_POOL = 10;
  static final int MAX_POOL = 200;
  static final String DEFAULT_PREFIX = "tether_";

  private static final Set<String> SETTINGS =
      Set.of("url", "user", "password", "pool-size", "table-prefix");
  private static final Set<String> SCHEMES =
      Set.of("jdbc:postgresql:", "jdbc:mariadb:", "jdbc:mysql:", "jdbc:h2:");

  @Override
  public String name() {
    return "jdbc";
  }

  @Override
  public SessionStore create(Map<String, String> settings, Clock clock) {
    SessionStoreRegistry.requireKnownSettings(name(), settings, SETTINGS);
    String url = settings.get("url");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "session store 'jdbc' needs the setting 'url', e.g. jdbc:postgresql://host:5432/db");
    }
    if (SCHEMES.stream().noneMatch(url::startsWith)) {
      throw new IllegalArgumentException(
          "session store 'jdbc': setting 'url' must start with one of "
              + SCHEMES.stream().sorted().toList()
              + " (PostgreSQL, MariaDB, MySQL or H2)");
    }
    int poolSize = poolSize(settings.get("pool-size"));
    String prefix = settings.getOrDefault("table-prefix", DEFAULT_PREFIX);
    new TableNames(prefix); // validates before any connection is opened

    HikariConfig config = new HikariConfig();
    config.setPoolName("tether-session-jdbc");
    config.setJdbcUrl(url);
    config.setUsername(settings.get("user"));
    config.setPassword(settings.get("password"));
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.setAutoCommit(true);
    if (url.startsWith("jdbc:postgresql:")) {
      // keeps key values (session ids) out of exception messages
      config.addDataSourceProperty("logServerErrorDetail", "false");
    }
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "session store 'jdbc': cannot open a connection pool for the configured url (is the"
              + " database up, are user and password right, is its JDBC driver on the class"
              + " path?)",
          e);
    }
    try {
      return new JdbcSessionStore(pool, prefix, clock, pool::close);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private static int poolSize(String value) {
    if (value == null) {
      return DEFAULT_POOL;
    }
    int n;
    try {
      n = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw badPoolSize(value, e);
    }
    if (n < 1 || n > MAX_POOL) {
      throw badPoolSize(value, null);
    }
    return n;
  }

  private static IllegalArgumentException badPoolSize(String value, Exception cause) {
    return new IllegalArgumentException(
        "session store 'jdbc': setting 'pool-size' is '"
            + value
            + "'; allowed: a whole number from 1 to "
            + MAX_POOL,
        cause);
  }
}
