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
 */
public record AffinityRules(boolean strict, double balanceFactor, Duration firstRequestWindow, Duration sessionWindow) {

  /** Redispatch, unbounded, a one-second first-request window, 30 minutes of session life. */
  public static final AffinityRules DEFAULTS = new AffinityRules(false, 0, Duration.ofSeconds(1), Duration.ofMinutes(30));

  public AffinityRules {
    requireNonNull(firstRequestWindow, "firstRequestWindow");
    requireNonNull(sessionWindow, "sessionWindow");
    if (balanceFactor != 0 && !(balanceFactor > 1)) {
      throw new IllegalArgumentException("balance factor " + balanceFactor + " must be greater than 1 (or 0 for unbounded)");
    }
    if (firstRequestWindow.isNegative() || sessionWindow.isNegative() || sessionWindow.isZero()) {
      throw new IllegalArgumentException("affinity windows must be positive: first request "
          + firstRequestWindow + ", session " + sessionWindow);
    }
  }

  public AffinityRules withStrict(boolean s) {
    return new AffinityRules(s, balanceFactor, firstRequestWindow, sessionWindow);
  }

  public AffinityRules withBalanceFactor(double f) {
    return new AffinityRules(strict, f, firstRequestWindow, sessionWindow);
  }

  public AffinityRules withFirstRequestWindow(Duration w) {
    return new AffinityRules(strict, balanceFactor, w, sessionWindow);
  }

  public AffinityRules withSessionWindow(Duration w) {
    return new AffinityRules(strict, balanceFactor, firstRequestWindow, w);
  }
}
