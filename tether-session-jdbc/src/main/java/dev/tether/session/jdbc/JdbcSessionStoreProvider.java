package dev.tether.session.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreProvider;
import dev.tether.session.spi.SessionStoreRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jdbc}: a {@link JdbcSessionStore} over a HikariCP pool it owns (closed with the store).
 * Settings: {@code url} (required, {@code jdbc:postgresql:…}, {@code jdbc:mariadb:…}, {@code
 * jdbc:mysql:…} or {@code jdbc:h2:…}; the driver must be on the class path), {@code user}, {@code
 * password}, {@code pool-size} (1–{@value #MAX_POOL}, default {@value #DEFAULT_POOL}) and {@code
 * table-prefix} (default {@code tether_}).
 *
 * <p>Bounded waits: {@code connect-timeout} (default 5s) is the longest a call waits for a pooled
 * connection (HikariCP's {@code connectionTimeout}) and a new connection may take to open; {@code
 * query-timeout} (default 5s, whole seconds) is every statement's {@code setQueryTimeout}, after
 * which the database cancels it; the driver's socket timeout is set {@value #SOCKET_SLACK_SECONDS}
 * seconds longer, so a server that stops answering altogether (a partition) also ends the wait. The
 * circuit breaker's {@code circuit.*} settings are read by {@link SessionStoreRegistry}.
 *
 * <p>Read replicas: {@code replica-urls}, comma-separated JDBC URLs of streaming replicas of the
 * same database (same scheme as {@code url}); each gets its own small pool ({@value #REPLICA_POOL}
 * connections, read-only, a one-second connection timeout, opened lazily so that a replica that is
 * away does not stop start-up). They log in with {@code replica-user} and {@code replica-password},
 * which default to {@code user} and {@code password}. Only reads that tolerate lag go to them,
 * those named by {@code replica-reads}: {@code principal-listings} and {@code sweeps} (the default
 * is both); see {@link JdbcSessionStore}.
 *
 * <pre>{@code
 * SessionStore s = SessionStoreRegistry.create("jdbc",
 *     Map.of("url", "jdbc:postgresql://db/app", "user", "app", "password", pw,
 *         "replica-urls", "jdbc:postgresql://db-r1/app,jdbc:postgresql://db-r2/app"), clock);
 * }</pre>
 */
public final class JdbcSessionStoreProvider implements SessionStoreProvider {

  static final int DEFAULT_POOL = 10;
  static final int MAX_POOL = 200;
  static final String DEFAULT_PREFIX = "tether_";
  static final int REPLICA_POOL = 2;
  static final int MAX_REPLICAS = 16;
  static final java.time.Duration DEFAULT_CONNECT_TIMEOUT = java.time.Duration.ofSeconds(5);
  static final java.time.Duration DEFAULT_QUERY_TIMEOUT = JdbcSessionStore.DEFAULT_QUERY_TIMEOUT;

  /** How much longer than the query timeout the driver waits on a silent socket. */
  static final int SOCKET_SLACK_SECONDS = 2;

  private static final Set<String> SETTINGS =
      Set.of(
          "url",
          "user",
          "password",
          "pool-size",
          "table-prefix",
          "replica-urls",
          "replica-user",
          "replica-password",
          "replica-reads",
          "connect-timeout",
          "query-timeout");
  private static final List<String> REPLICA_READS = List.of("principal-listings", "sweeps");
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
    List<String> replicaUrls = replicaUrls(settings.get("replica-urls"), url);
    Set<String> replicaReads = replicaReads(settings.get("replica-reads"));
    java.time.Duration connectTimeout =
        duration("connect-timeout", settings.get("connect-timeout"), DEFAULT_CONNECT_TIMEOUT);
    java.time.Duration queryTimeout =
        duration("query-timeout", settings.get("query-timeout"), DEFAULT_QUERY_TIMEOUT);
    int querySeconds = QueryTimeouts.seconds(queryTimeout);

    HikariConfig config = new HikariConfig();
    config.setPoolName("tether-session-jdbc");
    config.setJdbcUrl(url);
    config.setUsername(settings.get("user"));
    config.setPassword(settings.get("password"));
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.setAutoCommit(true);
    config.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
    config.setValidationTimeout(Math.max(250, connectTimeout.toMillis() / 2));
    if (url.startsWith("jdbc:postgresql:")) {
      // keeps key values (session ids) out of exception messages
      config.addDataSourceProperty("logServerErrorDetail", "false");
    }
    driverTimeouts(config, url, connectTimeout, querySeconds);
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
    List<HikariDataSource> replicas = new ArrayList<>();
    AutoCloseable closeAll =
        () -> {
          replicas.forEach(HikariDataSource::close);
          pool.close();
        };
    try {
      for (String replicaUrl : replicaUrls) {
        replicas.add(replicaPool(replicaUrl, replicas.size() + 1, settings));
      }
      return new JdbcSessionStore(
          pool,
          prefix,
          clock,
          closeAll,
          new Replicas(
              List.copyOf(replicas),
              System::nanoTime,
              replicaReads.contains("principal-listings"),
              replicaReads.contains("sweeps")),
          queryTimeout);
    } catch (RuntimeException e) {
      replicas.forEach(HikariDataSource::close);
      pool.close();
      throw e;
    }
  }

  private static HikariDataSource replicaPool(String url, int n, Map<String, String> settings) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("tether-session-jdbc-replica-" + n);
    config.setJdbcUrl(url);
    config.setUsername(settings.getOrDefault("replica-user", settings.get("user")));
    config.setPassword(settings.getOrDefault("replica-password", settings.get("password")));
    config.setMaximumPoolSize(REPLICA_POOL);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(1_000);
    config.setValidationTimeout(500);
    config.setInitializationFailTimeout(-1); // a replica that is away must not stop start-up
    config.setReadOnly(true);
    config.setAutoCommit(true);
    if (url.startsWith("jdbc:postgresql:")) {
      config.addDataSourceProperty("logServerErrorDetail", "false");
      config.addDataSourceProperty("connectTimeout", "1");
    }
    return new HikariDataSource(config);
  }

  /**
   * The driver's own limits: the TCP connect and login take at most the connect timeout, a read on
   * a socket that stays silent fails {@value #SOCKET_SLACK_SECONDS} s after the query timeout
   * (PostgreSQL and MariaDB/MySQL drivers; H2 in memory needs none).
   */
  static void driverTimeouts(
      HikariConfig config, String url, java.time.Duration connect, int querySeconds) {
    long connectSeconds = Math.max(1, (connect.toMillis() + 999) / 1000);
    int socketSeconds = querySeconds + SOCKET_SLACK_SECONDS;
    if (url.startsWith("jdbc:postgresql:")) {
      config.addDataSourceProperty("connectTimeout", Long.toString(connectSeconds));
      config.addDataSourceProperty("loginTimeout", Long.toString(connectSeconds));
      config.addDataSourceProperty("socketTimeout", Integer.toString(socketSeconds));
    } else if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
      config.addDataSourceProperty("connectTimeout", Long.toString(connect.toMillis()));
      config.addDataSourceProperty("socketTimeout", Long.toString(socketSeconds * 1000L));
    }
  }

  /** Parses {@code 500ms}, {@code 5s}, {@code 1m} or an ISO-8601 duration ({@code PT5S}). */
  static java.time.Duration duration(String setting, String value, java.time.Duration fallback) {
    if (value == null) {
      return fallback;
    }
    String v = value.strip().toLowerCase(java.util.Locale.ROOT);
    java.time.Duration d = null;
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})(ms|s|m)").matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "ms" -> java.time.Duration.ofMillis(n);
            case "s" -> java.time.Duration.ofSeconds(n);
            default -> java.time.Duration.ofMinutes(n);
          };
    } else if (v.startsWith("pt")) {
      try {
        d = java.time.Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
      } catch (RuntimeException e) {
        d = null; // reported below
      }
    }
    if (d == null || d.toMillis() < 1 || d.compareTo(java.time.Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException(
          "session store 'jdbc': setting '"
              + setting
              + "' is '"
              + value
              + "'; allowed: a duration from 1ms to 10m, like 500ms, 5s, 1m or PT5S");
    }
    return d;
  }

  /** The kinds of read sent to replicas; both when unset. */
  static Set<String> replicaReads(String value) {
    if (value == null) {
      return Set.copyOf(REPLICA_READS);
    }
    Set<String> kinds = new java.util.HashSet<>();
    for (String part : value.split(",", -1)) {
      String kind = part.strip();
      if (!REPLICA_READS.contains(kind)) {
        throw new IllegalArgumentException(
            "session store 'jdbc': setting 'replica-reads' has '"
                + kind
                + "'; allowed: a comma-separated list of "
                + REPLICA_READS);
      }
      kinds.add(kind);
    }
    return Set.copyOf(kinds);
  }

  /** The comma-separated replica URLs, each of the primary's scheme; empty when unset. */
  static List<String> replicaUrls(String value, String primaryUrl) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    String scheme = primaryUrl.substring(0, primaryUrl.indexOf(':', 5) + 1);
    List<String> urls = new ArrayList<>();
    String[] parts = value.split(",", -1);
    for (int i = 0; i < parts.length; i++) {
      String u = parts[i].strip();
      if (u.isEmpty()) {
        throw new IllegalArgumentException(
            "session store 'jdbc': setting 'replica-urls' has an empty entry at position "
                + (i + 1)
                + "; allowed: JDBC URLs separated by commas, e.g. "
                + scheme
                + "//replica1:5432/db,"
                + scheme
                + "//replica2:5432/db");
      }
      if (!u.startsWith(scheme)) {
        throw new IllegalArgumentException(
            "session store 'jdbc': replica "
                + (i + 1)
                + " in setting 'replica-urls' must start with '"
                + scheme
                + "' like 'url' does (a replica is a copy of the same database)");
      }
      urls.add(u);
    }
    if (urls.size() > MAX_REPLICAS) {
      throw new IllegalArgumentException(
          "session store 'jdbc': setting 'replica-urls' names "
              + urls.size()
              + " replicas; allowed: at most "
              + MAX_REPLICAS);
    }
    return List.copyOf(urls);
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
