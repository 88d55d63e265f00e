package dev.tether.demo;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The session store a {@link DemoCluster} runs over, and what its chat room is carried by.
 *
 * <ul>
 *   <li>{@link #GRID}: one embedded Infinispan member per instance (two owners per session); the
 *       chat is a replicated cache with listeners. The default.
 *   <li>{@link #REDIS}: one Redis (the settings' URI); the chat is Redis pub/sub plus a list.
 *   <li>{@link #JDBC}: PostgreSQL, MariaDB/MySQL or H2 (the settings' JDBC URL; H2 in memory when
 *       none is given); the chat is a table every instance polls twice a second.
 *   <li>{@link #FILE}: a directory the instances share (a temporary one when none is given); the
 *       chat is one file per message, polled twice a second.
 *   <li>{@link #MEMORY}: each instance keeps its own sessions and chat: nothing is replicated, so a
 *       killed instance visibly loses its carts.
 * </ul>
 */
public enum StoreKind {
  GRID,
  REDIS,
  JDBC,
  FILE,
  MEMORY;

  /** The lower-case name used on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The kind named {@code name} (any case).
   *
   * @throws IllegalArgumentException naming the allowed kinds
   */
  public static StoreKind of(String name) {
    requireNonNull(name, "store kind");
    for (StoreKind k : values()) {
      if (k.id().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "store '"
            + name
            + "' is unknown; allowed: "
            + Arrays.stream(values()).map(StoreKind::id).collect(Collectors.joining(", ")));
  }
}
