package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A store the benchmark can measure, by its command-line name, and the environment variable that
 * points at its server (the same {@code TETHER_TEST_*} variables the store tests read). Stores
 * without a server (memory, file, H2, the embedded grid) always run.
 */
public enum StoreTarget {
  /** The in-memory store of {@code tether-session}. */
  MEMORY("memory", null),
  /** {@code tether-session-file} in a fresh temporary directory. */
  FILE("file", null),
  /** {@code tether-session-jdbc} on an in-memory H2 database. */
  H2("h2", null),
  /** {@code tether-session-jdbc} on PostgreSQL ({@code TETHER_TEST_PG_URL/USER/PASSWORD}). */
  POSTGRESQL("postgresql", "TETHER_TEST_PG_URL"),
  /**
   * {@code tether-session-jdbc} on PostgreSQL with a streaming read replica ({@code
   * TETHER_TEST_PG_REPLICA_URL}, besides the primary's {@code TETHER_TEST_PG_*}).
   */
  POSTGRESQL_REPLICA("postgresql-replica", "TETHER_TEST_PG_REPLICA_URL"),
  /** {@code tether-session-jdbc} on MariaDB ({@code TETHER_TEST_MARIADB_URL/USER/PASSWORD}). */
  MARIADB("mariadb", "TETHER_TEST_MARIADB_URL"),
  /** {@code tether-session-redis}, standalone ({@code TETHER_TEST_REDIS_URI}). */
  REDIS("redis", "TETHER_TEST_REDIS_URI"),
  /** {@code tether-session-memcached} over its nodes ({@code TETHER_TEST_MEMCACHED_NODES}). */
  MEMCACHED("memcached", "TETHER_TEST_MEMCACHED_NODES"),
  /**
   * The {@code cookie} store of {@code tether-session}: every save seals, every load opens, with a
   * fresh AES-256 key and no revocation store (no server at all).
   */
  COOKIE("cookie", null),
  /** {@code tether-session-grid}: two embedded Infinispan members in this JVM, two owners. */
  GRID("grid", null);

  private final String label;
  private final String variable;

  StoreTarget(String label, String variable) {
    this.label = label;
    this.variable = variable;
  }

  /** The command-line name. */
  public String label() {
    return label;
  }

  /** The variable naming the server, or empty for a store that needs none. */
  public Optional<String> variable() {
    return Optional.ofNullable(variable);
  }

  /** The variable this store needs and {@code env} lacks, or empty when it can run. */
  public Optional<String> missingVariable(Map<String, String> env) {
    requireNonNull(env, "env");
    if (variable == null) {
      return Optional.empty();
    }
    String value = env.get(variable);
    return value == null || value.isBlank() ? Optional.of(variable) : Optional.empty();
  }

  /**
   * The store called {@code name}.
   *
   * @throws IllegalArgumentException for an unknown name, listing the allowed ones
   */
  public static StoreTarget byLabel(String name) {
    requireNonNull(name, "name");
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(t -> t.label.equals(wanted))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown store '" + name + "'; allowed: " + allLabels()));
  }

  /** All names, comma-separated, in benchmark order. */
  public static String allLabels() {
    return Arrays.stream(values()).map(StoreTarget::label).collect(Collectors.joining(","));
  }
}
