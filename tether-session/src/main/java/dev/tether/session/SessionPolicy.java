package dev.tether.session;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The session rules a {@link SessionManager} enforces. Defaults follow OWASP ASVS L2: 30 minutes
 * idle, 8 hours absolute, no renewal rotation, last access written at most once a minute, a warning
 * in the last 5 minutes, 20 unknown ids per client address per minute before an alert, no binding
 * to the client.
 *
 * @param idleTimeout inactivity after which a session expires (R7)
 * @param absoluteTimeout lifetime after which a session expires however active (R8)
 * @param renewal periodic id rotation within a session (R9), {@link Renewal#OFF} by default
 * @param touchInterval write the last access at most this often; sliding expiry may then run out up
 *     to this much earlier than {@code idleTimeout} after the real last request
 * @param expiryWarning report the time remaining once it is below this; zero turns it off
 * @param unknownIdLimit unknown ids from one client address per {@code unknownIdWindow} before
 *     {@link SessionListener#unknownIdFlood} fires (R27)
 * @param unknownIdWindow the counting window for unknown ids
 * @param sweepLimit the most sessions one sweep call expires
 * @param binding binding of a session to its client's address and User-Agent, {@link Binding#OFF}
 *     by default
 */
public record SessionPolicy(
    Duration idleTimeout,
    Duration absoluteTimeout,
    Renewal renewal,
    Duration touchInterval,
    Duration expiryWarning,
    int unknownIdLimit,
    Duration unknownIdWindow,
    int sweepLimit,
    Binding binding) {

  public SessionPolicy {
    positive(idleTimeout, "idleTimeout");
    positive(absoluteTimeout, "absoluteTimeout");
    requireNonNull(renewal, "renewal");
    requireNonNull(binding, "binding");
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

  /** A policy without session binding ({@link Binding#OFF}). */
  public SessionPolicy(
      Duration idleTimeout,
      Duration absoluteTimeout,
      Renewal renewal,
      Duration touchInterval,
      Duration expiryWarning,
      int unknownIdLimit,
      Duration unknownIdWindow,
      int sweepLimit) {
    this(
        idleTimeout,
        absoluteTimeout,
        renewal,
        touchInterval,
        expiryWarning,
        unknownIdLimit,
        unknownIdWindow,
        sweepLimit,
        Binding.OFF);
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
        idle,
        absolute,
        renewal,
        touchInterval,
        expiryWarning,
        unknownIdLimit,
        unknownIdWindow,
        sweepLimit,
        binding);
  }

  /** This policy with id renewal every {@code timeout}, the old id usable for {@code grace}. */
  public SessionPolicy withRenewal(Duration timeout, Duration grace) {
    Renewal renewal = new Renewal(timeout, grace);
    return new SessionPolicy(
        idleTimeout,
        absoluteTimeout,
        renewal,
        touchInterval,
        expiryWarning,
        unknownIdLimit,
        unknownIdWindow,
        sweepLimit,
        binding);
  }

  /** This policy with another touch interval. */
  public SessionPolicy withTouchInterval(Duration touch) {
    return new SessionPolicy(
        idleTimeout,
        absoluteTimeout,
        renewal,
        touch,
        expiryWarning,
        unknownIdLimit,
        unknownIdWindow,
        sweepLimit,
        binding);
  }

  /** This policy with another unknown-id alert limit. */
  public SessionPolicy withUnknownIdLimit(int limit, Duration window) {
    return new SessionPolicy(
        idleTimeout,
        absoluteTimeout,
        renewal,
        touchInterval,
        expiryWarning,
        limit,
        window,
        sweepLimit,
        binding);
  }

  /** This policy with another session binding. */
  public SessionPolicy withBinding(Binding b) {
    return new SessionPolicy(
        idleTimeout,
        absoluteTimeout,
        renewal,
        touchInterval,
        expiryWarning,
        unknownIdLimit,
        unknownIdWindow,
        sweepLimit,
        b);
  }

  /** What a request whose client differs from the session's bound client leads to. */
  public enum BindingMode {
    /** Not recorded, not compared. */
    OFF,
    /** {@link SessionListener#bindingMismatch} fires; the session is kept. */
    ALERT,
    /**
     * {@link SessionListener#bindingMismatch} fires and the session is invalidated; the request
     * goes on as one without a session, like one with an unknown id.
     */
    TERMINATE;

    /** The mode named {@code off}, {@code alert} or {@code terminate} (any case). */
    public static BindingMode of(String name) {
      requireNonNull(name, "binding mode");
      for (BindingMode m : values()) {
        if (m.name().equalsIgnoreCase(name.trim())) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "binding mode '" + name + "' is unknown; allowed: off, alert, terminate");
    }
  }

  /**
   * Binding of a session to properties of the client that created it (OWASP Session Management
   * Cheat Sheet, "Binding the Session ID to Other User Properties"; ASVS V3): the client's network
   * (its address cut to a prefix, so that address changes within one network are not flagged) and a
   * hash of its {@code User-Agent}. Both are recorded when the session is created and compared on
   * every later request. They are kept as reserved internal attributes, hashed, and survive id
   * rotation: a rotated session stays bound to the client that created it. A session created before
   * binding was turned on is bound on its first request that carries the property.
   *
   * <pre>{@code
   * SessionPolicy p = SessionPolicy.defaults().withBinding(
   *     new SessionPolicy.Binding(BindingMode.ALERT, 24, 64, BindingMode.TERMINATE));
   * }</pre>
   *
   * @param address what a different client network leads to
   * @param ipv4Prefix bits of an IPv4 address that make its network, 0 to 32 (24 by default)
   * @param ipv6Prefix bits of an IPv6 address that make its network, 0 to 128 (64 by default)
   * @param userAgent what a different {@code User-Agent} leads to
   */
  public record Binding(
      BindingMode address, int ipv4Prefix, int ipv6Prefix, BindingMode userAgent) {

    /** The property name of the client network in {@link SessionListener#bindingMismatch}. */
    public static final String ADDRESS = "address";

    /** The property name of the {@code User-Agent} in {@link SessionListener#bindingMismatch}. */
    public static final String USER_AGENT = "user-agent";

    /** Nothing bound. */
    public static final Binding OFF = new Binding(BindingMode.OFF, 24, 64, BindingMode.OFF);

    public Binding {
      requireNonNull(address, "address binding mode");
      requireNonNull(userAgent, "userAgent binding mode");
      if (ipv4Prefix < 0 || ipv4Prefix > 32) {
        throw new IllegalArgumentException(
            "IPv4 binding prefix /" + ipv4Prefix + " is out of range; allowed: 0 to 32");
      }
      if (ipv6Prefix < 0 || ipv6Prefix > 128) {
        throw new IllegalArgumentException(
            "IPv6 binding prefix /" + ipv6Prefix + " is out of range; allowed: 0 to 128");
      }
    }

    /** Binding of both properties in {@code mode} with the default prefixes /24 and /64. */
    public static Binding of(BindingMode mode) {
      return new Binding(mode, 24, 64, mode);
    }

    /** Whether any property is bound. */
    public boolean enabled() {
      return address != BindingMode.OFF || userAgent != BindingMode.OFF;
    }
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
