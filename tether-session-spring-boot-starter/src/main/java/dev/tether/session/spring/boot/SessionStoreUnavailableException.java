package dev.tether.session.spring.boot;

/**
 * The configured session store could not be reached at start-up; the application does not start
 * without it.
 */
public final class SessionStoreUnavailableException extends RuntimeException {

  private final String store;

  /**
   * @param store the store's name
   * @param settings the store's configuration as a person reads it, secrets masked
   * @param cause what went wrong
   */
  public SessionStoreUnavailableException(String store, String settings, Throwable cause) {
    super(
        "session store '" + store + "' (" + settings + ") cannot be reached: " + cause.getMessage(),
        cause);
    this.store = store;
  }

  /** The store's name, e.g. {@code redis}. */
  public String store() {
    return store;
  }
}
