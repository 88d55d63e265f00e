package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import dev.tether.session.redis.RedisSessionStore;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Builds each {@link StoreTarget} through its {@link dev.tether.session.spi.SessionStoreProvider}
 * (the way an app configures it), with names no other run uses (table prefix, key prefix,
 * directory, cluster name) and a cleanup that removes them again.
 */
public final class StoreOpener {

  private final Map<String, String> env;
  private final Clock clock;
  private final int threads;

  /**
   * @param env where the {@code TETHER_TEST_*} server settings come from
   * @param clock the clock the stores judge expiry by
   * @param threads the benchmark's concurrency (sizes the JDBC pool, so the pool is not the limit)
   */
  public StoreOpener(Map<String, String> env, Clock clock, int threads) {
    this.env = Map.copyOf(requireNonNull(env, "env"));
    this.clock = requireNonNull(clock, "clock");
    this.threads = threads;
  }

  /**
   * Opens {@code target}.
   *
   * @throws IllegalStateException when its variable is missing or its server cannot be reached
   */
  public OpenedStore open(StoreTarget target) throws Exception {
    target
        .missingVariable(env)
        .ifPresent(
            v -> {
              throw new IllegalStateException(target.label() + " needs " + v + " to be set");
            });
    String run = Long.toString(UUID.randomUUID().getMostSignificantBits() & Long.MAX_VALUE, 36);
    return switch (target) {
      case MEMORY ->
          new OpenedStore(
              target,
              "in this JVM",
              SessionStoreRegistry.create("memory", Map.of(), clock),
              null,
              () -> {});
      case FILE -> file(run);
      case H2 ->
          jdbc(
              target,
              "jdbc:h2:mem:bench" + run + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000",
              "sa",
              "",
              run);
      case POSTGRESQL -> jdbcFromEnv(target, "TETHER_TEST_PG", run);
      case POSTGRESQL_REPLICA -> postgresqlReplica(run);
      case MARIADB -> jdbcFromEnv(target, "TETHER_TEST_MARIADB", run);
      case REDIS -> redis(run);
      case MEMCACHED -> memcached(run);
      case COOKIE -> cookie();
      case GRID -> grid(run);
    };
  }

  private OpenedStore file(String run) throws IOException {
    Path dir = Files.createTempDirectory("tether-bench-" + run);
    SessionStore store =
        SessionStoreRegistry.create("file", Map.of("directory", dir.toString()), clock);
    return new OpenedStore(
        StoreTarget.FILE,
        "temporary directory on the local file system",
        store,
        null,
        () -> deleteTree(dir));
  }

  private OpenedStore jdbcFromEnv(StoreTarget target, String kind, String run) throws Exception {
    return jdbc(
        target,
        env.get(kind + "_URL"),
        env.getOrDefault(kind + "_USER", ""),
        env.getOrDefault(kind + "_PASSWORD", ""),
        run);
  }

  private OpenedStore jdbc(StoreTarget target, String url, String user, String password, String run)
      throws Exception {
    return jdbc(target, url, user, password, run, Map.of());
  }

  /**
   * The primary of {@code TETHER_TEST_PG_*} with {@code TETHER_TEST_PG_REPLICA_URL} as its replica.
   * The measured operations (save, load, the near cache's version check) stay on the primary by
   * design, so this measures what configuring a replica costs them.
   */
  private OpenedStore postgresqlReplica(String run) throws Exception {
    String primary = env.get("TETHER_TEST_PG_URL");
    if (primary == null || primary.isBlank()) {
      throw new IllegalStateException(
          "postgresql-replica needs TETHER_TEST_PG_URL (the primary) as well as"
              + " TETHER_TEST_PG_REPLICA_URL");
    }
    OpenedStore opened =
        jdbc(
            StoreTarget.POSTGRESQL_REPLICA,
            primary,
            env.getOrDefault("TETHER_TEST_PG_USER", ""),
            env.getOrDefault("TETHER_TEST_PG_PASSWORD", ""),
            run,
            Map.of("replica-urls", env.get("TETHER_TEST_PG_REPLICA_URL")));
    return new OpenedStore(
        opened.target(),
        opened.detail()
            + ", replica "
            + env.get("TETHER_TEST_PG_REPLICA_URL")
            + " (listings and sweeps only)",
        opened.store(),
        null,
        opened.cleanup());
  }

  private OpenedStore cookie() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    SessionStore store =
        SessionStoreRegistry.create(
            "cookie",
            Map.of("keys", "k1:" + Base64.getEncoder().encodeToString(key), "max-cookies", "4"),
            clock);
    return new OpenedStore(
        StoreTarget.COOKIE,
        "sealed in the client's cookies (AES-256-GCM, deflate), no revocation store; a load opens"
            + " the seal, a save re-seals",
        store,
        null,
        () -> {});
  }

  private OpenedStore jdbc(
      StoreTarget target,
      String url,
      String user,
      String password,
      String run,
      Map<String, String> extra)
      throws Exception {
    String prefix = "bench" + run + "_";
    Map<String, String> settings = new HashMap<>(extra);
    settings.putAll(
        Map.of(
            "url", url,
            "user", user,
            "password", password,
            "pool-size", Integer.toString(threads),
            "table-prefix", prefix));
    SessionStore store = SessionStoreRegistry.create("jdbc", settings, clock);
    String detail;
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      detail =
          c.getMetaData().getDatabaseProductName()
              + " "
              + c.getMetaData().getDatabaseProductVersion()
              + ", HikariCP pool of "
              + threads;
    } catch (SQLException | RuntimeException e) {
      store.close();
      throw e;
    }
    return new OpenedStore(
        target, detail, store, null, () -> dropTables(url, user, password, prefix));
  }

  /** The store's tables (see {@code dev.tether.session.jdbc.TableNames}), children first. */
  private static void dropTables(String url, String user, String password, String prefix)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement()) {
      for (String table : List.of("session_attributes", "sessions", "session_schema")) {
        s.execute("DROP TABLE IF EXISTS " + prefix + table);
      }
    }
  }

  private OpenedStore redis(String run) {
    String uri = env.get("TETHER_TEST_REDIS_URI");
    String prefix = "tether-bench:" + run + ":";
    RedisSessionStore store =
        (RedisSessionStore)
            SessionStoreRegistry.create(
                "redis",
                Map.of("uri", uri, "key-prefix", prefix, "circuit.enabled", "false"),
                clock);
    RedisCommandCounter counter;
    try {
      counter = new RedisCommandCounter(store, uri);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    String detail = "Redis " + counter.serverVersion() + " standalone, one Lettuce connection";
    return new OpenedStore(
        StoreTarget.REDIS, detail, store, counter, () -> counter.deleteKeys(prefix));
  }

  private OpenedStore memcached(String run) {
    String nodes = env.get("TETHER_TEST_MEMCACHED_NODES");
    SessionStore store =
        SessionStoreRegistry.create(
            "memcached", Map.of("nodes", nodes, "key-prefix", "tether-bench:" + run + ":"), clock);
    int count = nodes.split(",").length;
    String detail =
        "Memcached, "
            + count
            + " node(s), each session on a primary and a backup (folsom, binary protocol); keys"
            + " left to their TTL";
    return new OpenedStore(StoreTarget.MEMCACHED, detail, store, null, () -> {});
  }

  private OpenedStore grid(String run) throws IOException {
    List<Integer> ports = loopbackPorts(2);
    String members = "127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1);
    List<SessionStore> started = new ArrayList<>();
    try {
      for (int port : ports) {
        started.add(
            SessionStoreRegistry.create(
                "grid",
                Map.of(
                    "initial-members",
                    members,
                    "cluster-name",
                    "tether-bench-" + run,
                    "bind-address",
                    "127.0.0.1",
                    "bind-port",
                    Integer.toString(port),
                    "owners",
                    "2"),
                clock));
      }
    } catch (RuntimeException e) {
      started.reversed().forEach(SessionStore::close);
      throw e;
    }
    SessionStore peer = started.get(1);
    return new OpenedStore(
        StoreTarget.GRID,
        "2 Infinispan members in this JVM over loopback TCP, owners=2 (every write replicated)",
        started.get(0),
        null,
        peer::close);
  }

  /**
   * {@code n} distinct loopback ports the kernel just handed out, held together while chosen. Not
   * the test kit's {@code FreePorts}: the {@code tether} jar does not ship the test kit.
   */
  private static List<Integer> loopbackPorts(int n) throws IOException {
    List<ServerSocket> open = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        open.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return open.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : open) {
        s.close();
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
