package dev.tether.session;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What a user may see of one of their sessions (OWASP R15): times and a digest to name it by, never
 * the id itself.
 *
 * @param idDigest the salted digest ({@link SessionManager#digest}); pass it back to {@link
 *     PrincipalSessions#invalidate(String, String)} to end that session
 * @param createdAt creation time
 * @param lastAccessedAt last recorded access
 * @param expiresAt when it expires unless used
 * @param current whether it is the session asking
 */
public record SessionSummary(
    String idDigest,
    Instant createdAt,
    Instant lastAccessedAt,
    Instant expiresAt,
    boolean current) {

  public SessionSummary {
    requireNonNull(idDigest, "idDigest");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(lastAccessedAt, "lastAccessedAt");
    requireNonNull(expiresAt, "expiresAt");
  }
}
