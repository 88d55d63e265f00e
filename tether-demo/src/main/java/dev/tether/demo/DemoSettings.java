package dev.tether.demo;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a {@link DemoCluster} is set up.
 *
 * <pre>{@code
 * DemoSettings s = DemoSettings.defaults();                                   // 3 x grid, 30 min
 * DemoSettings r = DemoSettings.defaults().withStore(StoreKind.REDIS, "redis://127.0.0.1:6379");
 * DemoSettings j = DemoSettings.defaults().withStore(StoreKind.JDBC,
 *     "jdbc:postgresql://127.0.0.1/shop?user=shop&password=secret");
 * DemoSettings t = DemoSettings.defaults().withIdleTimeout(Duration.ofSeconds(3)); // tests
 * }</pre>
 *
 * @param store the store kind
 * @param storeUri where the store is: a Redis URI ({@code redis://host:port}, required for {@code
 *     redis}); a JDBC URL with the credentials in it ({@code
 *     jdbc:postgresql://host/db?user=u&password=p}, {@code jdbc:mariadb://…?user=u&password=p},
 *     {@code jdbc:h2:…}; default an H2 database in this JVM's memory); a directory for {@code file}
 *     (default a temporary directory, deleted on close); {@code null} otherwise, and must be {@code
 *     null} for {@code grid} and {@code memory}
 * @param instances how many instances {@link DemoCluster#start} starts, 1..20
 * @param host the loopback (or other local) address instances and grid members bind to
 * @param idleTimeout the session idle timeout (30 minutes by default); the expiry warning is the
 *     last fifth of it, at most 5 minutes, and the last access is written at most every quarter of
 *     it, at most every minute
 * @param namespace names this demo's data in a shared store (Redis key prefix, JDBC table prefix,
 *     grid cluster name): letters, digits and {@code _}, 1..20 characters
 */
public record DemoSettings(
    StoreKind store,
    String storeUri,
    int instances,
    String host,
    Duration idleTimeout,
    String namespace) {

  /** The most instances a cluster may have (started ones plus added ones). */
  public static final int MAX_INSTANCES = 20;

  public DemoSettings {
    requireNonNull(store, "store");
    requireNonNull(host, "host");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(namespace, "namespace");
    if (instances < 1 || instances > MAX_INSTANCES) {
      throw new IllegalArgumentException(
          "instances " + instances + " is out of range; allowed: 1 to " + MAX_INSTANCES);
    }
    if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "idle timeout " + idleTimeout + " is too short; allowed: 1 second or more");
    }
    if (!namespace.matches("[A-Za-z0-9_]{1,20}")) {
      throw new IllegalArgumentException(
          "namespace '" + namespace + "' is not allowed; use 1 to 20 letters, digits or _");
    }
    if (storeUri != null && storeUri.isBlank()) {
      storeUri = null;
    }
    switch (store) {
      case GRID, MEMORY -> {
        if (storeUri != null) {
          throw new IllegalArgumentException(
              "store "
                  + store.id()
                  + " takes no URI (its sessions live in the instances); got '"
                  + storeUri
                  + "'");
        }
      }
      case REDIS -> {
        if (storeUri == null
            || !(storeUri.startsWith("redis://") || storeUri.startsWith("rediss://"))) {
          throw new IllegalArgumentException(
              "store redis needs a URI like redis://127.0.0.1:6379 (or rediss:// for TLS); got "
                  + (storeUri == null ? "none" : "'" + storeUri + "'"));
        }
      }
      case JDBC -> {
        if (storeUri != null && !storeUri.startsWith("jdbc:")) {
          throw new IllegalArgumentException(
              "store jdbc needs a JDBC URL like jdbc:postgresql://127.0.0.1/db?user=u&password=p"
                  + " (or jdbc:mariadb:, jdbc:h2:); got '"
                  + storeUri
                  + "'");
        }
      }
      case FILE -> {}
    }
  }

  /** Three grid instances on 127.0.0.1, 30 minutes idle timeout, namespace {@code tether_demo}. */
  public static DemoSettings defaults() {
    return new DemoSettings(
        StoreKind.GRID, null, 3, "127.0.0.1", Duration.ofMinutes(30), "tether_demo");
  }

  /** These settings over store {@code kind} at {@code uri} (may be {@code null}, see above). */
  public DemoSettings withStore(StoreKind kind, String uri) {
    return new DemoSettings(kind, uri, instances, host, idleTimeout, namespace);
  }

  /** These settings with {@code n} instances. */
  public DemoSettings withInstances(int n) {
    return new DemoSettings(store, storeUri, n, host, idleTimeout, namespace);
  }

  /** These settings with another session idle timeout. */
  public DemoSettings withIdleTimeout(Duration idle) {
    return new DemoSettings(store, storeUri, instances, host, idle, namespace);
  }

  /** These settings with another namespace. */
  public DemoSettings withNamespace(String ns) {
    return new DemoSettings(store, storeUri, instances, host, idleTimeout, ns);
  }

  /** How long before expiry the pages warn: a fifth of the idle timeout, at most 5 minutes. */
  public Duration expiryWarning() {
    Duration fifth = idleTimeout.dividedBy(5);
    return fifth.compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5) : fifth;
  }

  /**
   * How often the last access is written at most: a quarter of the idle timeout, at most 1 minute.
   */
  public Duration touchInterval() {
    Duration quarter = idleTimeout.dividedBy(4);
    return quarter.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : quarter;
  }
}
