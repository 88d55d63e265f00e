package dev.tether.session;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The session rules a {@link SessionManager} enforces. Defaults follow OWASP ASVS L2: 30 minutes
 * idle, 8 hours absolute, no renewal rotation, last access written at most once a minute, a warning
 * in the last 5 minutes, 20 unknown ids per client address per minute before an alert.
 *
 * @param idleTimeout inactivity after which a session expires (R7)
 * @param absoluteTimeout lifetime after which a session expires however active (R8)
 * @param renewal periodic id rotation within a session (R9), {@link Renewal#OFF} by default
 * @param touchInterval write the last access at most this often; sliding expiry may then run out
 *     up to this much earlier than {@code idleTimeout} after the real last request
 * @param expiryWarning report the time remaining once it is below this; zero turns it off
 * @param unknownIdLimit unknown ids from one client address per {@code unknownIdWindow} before
 *     {@link SessionListener#unknownIdFlood} fires (R27)
 * @param unknownIdWindow the counting window for unknown ids
 * @param sweepLimit the most sessions one sweep call expires
 */
public record SessionPolicy(
    Duration idleTimeout,
    Duration absoluteTimeout,
    Renewal renewal,
    Duration touchInterval,
    Duration expiryWarning,
    int unknownIdLimit,
    Duration unknownIdWindow,
    int sweepLimit) {

  public SessionPolicy {
    positive(idleTimeout, "idleTimeout");
    positive(absoluteTimeout, "absoluteTimeout");
    requireNonNull(renewal, "renewal");
    notNegative(touchInterval, "touchInterval");
    notNegative(expiryWarning, "expiryWarning");
    positive(unknownIdWindow, "unknownIdWindow");
    if (absoluteTimeout.compareTo(idleTimeout) < 0) {
      throw new IllegalArgumentException(
          "absoluteTimeout " + absoluteTimeout + " is shorter than idleTimeout " + idleTimeout);
    }
    if (touchInterval.compareTo(idleTimeout) >= 0) {
      throw new IllegalArgumentException(
          "touchInterval " + touchInterval + " must be shorter than idleTimeout " + idleTimeout);
    }
    if (unknownIdLimit < 1 || sweepLimit < 1) {
      throw new IllegalArgumentException("unknownIdLimit and sweepLimit must be at least 1");
    }
  }

  /** The defaults described above. */
  public static SessionPolicy defaults() {
    return new SessionPolicy(
        Duration.ofMinutes(30),
        Duration.ofHours(8),
        Renewal.OFF,
        Duration.ofMinutes(1),
        Duration.ofMinutes(5),
        20,
        Duration.ofMinutes(1),
        500);
  }

  /** This policy with other idle and absolute timeouts. */
  public SessionPolicy withTimeouts(Duration idle, Duration absolute) {
    return new SessionPolicy(
        idle, absolute, renewal, touchInterval, expiryWarning, unknownIdLimit,
        unknownIdWindow, sweepLimit);
  }

  /** This policy with id renewal every {@code timeout}, the old id usable for {@code grace}. */
  public SessionPolicy withRenewal(Duration timeout, Duration grace) {
    Renewal renewal = new Renewal(timeout, grace);
    return new SessionPolicy(
        idleTimeout, absoluteTimeout, renewal, touchInterval, expiryWarning, unknownIdLimit,
        unknownIdWindow, sweepLimit);
  }

  /** This policy with another touch interval. */
  public SessionPolicy withTouchInterval(Duration touch) {
    return new SessionPolicy(
        idleTimeout, absoluteTimeout, renewal, touch, expiryWarning, unknownIdLimit,
        unknownIdWindow, sweepLimit);
  }

  /** This policy with another unknown-id alert limit. */
  public SessionPolicy withUnknownIdLimit(int limit, Duration window) {
    return new SessionPolicy(
        idleTimeout, absoluteTimeout, renewal, touchInterval, expiryWarning, limit, window,
        sweepLimit);
  }

  /**
   * Periodic id rotation (OWASP R9). A request that still presents the old id within {@code grace}
   * after a renewal (a request that was already in flight) is served the renewed session and given
   * the new cookie, on the instance that renewed it (with sticky routing, the instance that serves
   * the session); after the grace it is an unknown id. Rotation on login or privilege change has no
   * grace: the old id is dead at once (R4).
   *
   * @param timeout rotate after this long since creation or the last renewal; zero turns renewal
   *     off
   * @param grace how long the old id still leads to the renewed session
   */
  public record Renewal(Duration timeout, Duration grace) {

    /** No renewal. */
    public static final Renewal OFF = new Renewal(Duration.ZERO, Duration.ZERO);

    public Renewal {
      notNegative(timeout, "renewal timeout");
      notNegative(grace, "renewal grace");
      if (!timeout.isZero() && grace.compareTo(timeout) >= 0) {
        throw new IllegalArgumentException(
            "renewal grace " + grace + " must be shorter than the renewal timeout " + timeout);
      }
    }

    /** Whether renewal is on. */
    public boolean enabled() {
      return !timeout.isZero();
    }
  }

  private static void positive(Duration d, String what) {
    requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " " + d + " must be positive");
    }
  }

  private static void notNegative(Duration d, String what) {
    requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " " + d + " must not be negative");
    }
  }
}
