package dev.tether.session.jwt.verify;

/**
 * A token was refused; the message says why, fit for {@code WWW-Authenticate}'s {@code
 * error_description} (no secret in it, no quotes).
 */
public final class InvalidTokenException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Refused for {@code reason}. */
  public InvalidTokenException(String reason) {
    super(reason);
  }
}
