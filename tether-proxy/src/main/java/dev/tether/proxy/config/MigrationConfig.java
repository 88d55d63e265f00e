package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Budgeted rebalancing of sessions after scale-out ({@code affinity.migration}); only with {@code
 * sessions: replicated}.
 *
 * @param idleAfter only sessions idle at least this long move ({@code idle-after}, default 5m)
 * @param rate most sessions moved per second ({@code rate}, default 10, 1..100000)
 */
public record MigrationConfig(Duration idleAfter, int rate) {

  public MigrationConfig {
    requireNonNull(idleAfter, "idleAfter");
  }
}
