package dev.tether.session.jwt.verify;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * What a verified session JWT says.
 *
 * @param subject {@code sub}: the user the session belongs to
 * @param sessionHandle {@code sid}: a one-way handle of the session (not its id)
 * @param issuedAt {@code iat}
 * @param expiresAt {@code exp}
 * @param keyId the {@code kid} it was signed with
 * @param claims every claim, registered ones included
 */
public record VerifiedSession(
    String subject,
    String sessionHandle,
    Instant issuedAt,
    Instant expiresAt,
    String keyId,
    Map<String, Object> claims) {

  public VerifiedSession {
    requireNonNull(subject, "subject");
    requireNonNull(sessionHandle, "sessionHandle");
    requireNonNull(issuedAt, "issuedAt");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(keyId, "keyId");
    Map<String, Object> present = new java.util.LinkedHashMap<>();
    requireNonNull(claims, "claims")
        .forEach(
            (k, v) -> {
              if (v != null) {
                present.put(k, v);
              }
            });
    claims = java.util.Collections.unmodifiableMap(present);
  }

  /** Claim {@code name}, or {@code null}. */
  public Object claim(String name) {
    return claims.get(name);
  }
}
