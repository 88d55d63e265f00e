package dev.tether.session.jwt.verify;

/**
 * The issuer's keys are not known yet (its JWK set could not be fetched): no token can be judged.
 */
public final class KeysUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** With what could not be fetched. */
  public KeysUnavailableException(String message) {
    super(message);
  }
}
