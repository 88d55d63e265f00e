package dev.tether.session.dropin;

/**
 * The drop-in cannot start: its configuration is missing or wrong, or the store cannot be opened.
 * The message names the file (and line), the key and what is allowed.
 */
public final class DropinConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public DropinConfigException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public DropinConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
