package dev.tether.session;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Who is logged in to a session and since when: login under the {@link ConcurrentSessionLimit}
 * (R10), re-authentication (R4, R16) and the authentication time that gates high-value operations.
 * Both login and re-authentication rotate the id (R4).
 *
 * <pre>{@code
 * sessions.authentication().login(session, "alice");
 * if (!sessions.authentication().authenticatedWithin(session, Duration.ofMinutes(5))) {
 *   // ask for the password again, then: sessions.authentication().reauthenticated(session);
 * }
 * }</pre>
 *
 * <p>Thread-safe; from {@link SessionManager#authentication()}.
 */
public final class SessionAuthentication {

  static final String AUTH_TIME = ActiveSession.RESERVED_PREFIX + "authTime";

  private final Clock clock;
  private final PrincipalSessions principals;
  private final ConcurrentSessionLimit concurrentLimit;

  SessionAuthentication(
      Clock clock, PrincipalSessions principals, ConcurrentSessionLimit concurrentLimit) {
    this.clock = clock;
    this.principals = principals;
    this.concurrentLimit = concurrentLimit;
  }

  /**
   * Login: enforces the {@link ConcurrentSessionLimit} if one is set (R10), sets the principal,
   * records the authentication time and rotates the id (R4). Returns the new id.
   *
   * @throws SessionLimitExceededException when the principal holds the most sessions allowed and
   *     the limit's action is to reject; {@code s} is left unchanged
   */
  public String login(ActiveSession s, String principal) {
    requireNonNull(principal, "principal");
    if (concurrentLimit != null) {
      principals.makeRoom(s, principal, concurrentLimit);
    }
    s.setPrincipal(principal);
    return reauthenticated(s);
  }

  /**
   * Re-authentication (step-up, password re-entry before a sensitive change, R4/R16): records the
   * authentication time and rotates the id. Returns the new id.
   */
  public String reauthenticated(ActiveSession s) {
    s.setInternal(AUTH_TIME, clock.millis());
    return s.rotateId();
  }

  /** When the user of {@code s} last authenticated, or empty for an anonymous session. */
  public Optional<Instant> authenticatedAt(ActiveSession s) {
    return s.attribute(AUTH_TIME) instanceof Number n
        ? Optional.of(Instant.ofEpochMilli(n.longValue()))
        : Optional.empty();
  }

  /**
   * Whether the user of {@code s} authenticated within {@code maxAge}: gate high-value operations
   * on it and ask for re-authentication otherwise (R16).
   */
  public boolean authenticatedWithin(ActiveSession s, Duration maxAge) {
    requireNonNull(maxAge, "maxAge");
    return authenticatedAt(s).map(t -> !t.plus(maxAge).isBefore(clock.instant())).orElse(false);
  }
}
