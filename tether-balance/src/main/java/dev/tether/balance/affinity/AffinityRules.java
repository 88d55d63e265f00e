package dev.tether.balance.affinity;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The rules every affinity mode shares.
 *
 * @param strict the bound server down, disabled or removed → 503 instead of re-pinning
 * @param balanceFactor a server holding more than {@code balanceFactor} × the mean of live sessions
 *     takes no new ones; 0 = unbounded, else greater than 1
 * @param firstRequestWindow unbound requests from one client address within this window go to the
 *     same server (concurrent first requests); zero = only requests on the same connection
 * @param sessionWindow how long a session counts as live after it was last seen (the idle timeout)
 * @param migration budgeted rebalancing of idle sessions, or {@code null} for none
 */
public record AffinityRules(
    boolean strict,
    double balanceFactor,
    Duration firstRequestWindow,
    Duration sessionWindow,
    Migration migration) {

  /**
   * Redispatch, unbounded, a one-second first-request window, 30 minutes of session life, no
   * migration.
   */
  public static final AffinityRules DEFAULTS =
      new AffinityRules(false, 0, Duration.ofSeconds(1), Duration.ofMinutes(30), null);

  /** The over-load factor migration uses when no balance factor is set. */
  public static final double DEFAULT_MIGRATION_FACTOR = 1.25;

  /**
   * Budgeted moving of sessions off over-loaded servers (cookie mode); only safe when the pool's
   * applications share sessions (replicated), since the moved client's next request lands on a
   * server that did not serve it before.
   *
   * @param idleAfter only a session whose token was last refreshed at least this long ago moves
   * @param perSecond at most this many sessions move per second, across the pool
   */
  public record Migration(Duration idleAfter, int perSecond) {
    public Migration {
      requireNonNull(idleAfter, "idleAfter");
      if (perSecond < 1) {
        throw new IllegalArgumentException(
            "migration rate " + perSecond + " must be at least 1 per second");
      }
    }
  }

  /** The rules without migration. */
  public AffinityRules(
      boolean strict, double balanceFactor, Duration firstRequestWindow, Duration sessionWindow) {
    this(strict, balanceFactor, firstRequestWindow, sessionWindow, null);
  }

  public AffinityRules {
    requireNonNull(firstRequestWindow, "firstRequestWindow");
    requireNonNull(sessionWindow, "sessionWindow");
    if (balanceFactor != 0 && !(balanceFactor > 1)) {
      throw new IllegalArgumentException(
          "balance factor " + balanceFactor + " must be greater than 1 (or 0 for unbounded)");
    }
    if (firstRequestWindow.isNegative() || sessionWindow.isNegative() || sessionWindow.isZero()) {
      throw new IllegalArgumentException(
          "affinity windows must be positive: first request "
              + firstRequestWindow
              + ", session "
              + sessionWindow);
    }
  }

  public AffinityRules withStrict(boolean s) {
    return new AffinityRules(s, balanceFactor, firstRequestWindow, sessionWindow, migration);
  }

  public AffinityRules withBalanceFactor(double f) {
    return new AffinityRules(strict, f, firstRequestWindow, sessionWindow, migration);
  }

  public AffinityRules withFirstRequestWindow(Duration w) {
    return new AffinityRules(strict, balanceFactor, w, sessionWindow, migration);
  }

  public AffinityRules withSessionWindow(Duration w) {
    return new AffinityRules(strict, balanceFactor, firstRequestWindow, w, migration);
  }

  public AffinityRules withMigration(Migration m) {
    return new AffinityRules(strict, balanceFactor, firstRequestWindow, sessionWindow, m);
  }
}
