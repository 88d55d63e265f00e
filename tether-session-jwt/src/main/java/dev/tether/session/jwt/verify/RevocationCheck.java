package dev.tether.session.jwt.verify;

/**
 * An optional check, after the signature and claims: whether a verified token's session has been
 * revoked since it was issued (for instance a set of {@link VerifiedSession#sessionHandle()}s fed
 * by the issuing app's logouts through a publish/subscribe channel). Without one a revoked
 * session's token works until its {@code exp}. Must be thread-safe and fast; it runs on every
 * request.
 */
@FunctionalInterface
public interface RevocationCheck {

  /** No check: tokens work until they expire. */
  RevocationCheck NONE = s -> false;

  /** Whether {@code session} was revoked. */
  boolean isRevoked(VerifiedSession session);
}
