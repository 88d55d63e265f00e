package dev.tether.session;

/**
 * A login refused because the principal already holds as many sessions as {@link
 * ConcurrentSessionLimit} allows; the session that tried to log in is unchanged (still anonymous).
 */
public final class SessionLimitExceededException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int limit;

  SessionLimitExceededException(String principal, int limit) {
    super("principal " + principal + " already holds " + limit + " session(s), the most allowed");
    this.limit = limit;
  }

  /** The limit that was reached. */
  public int limit() {
    return limit;
  }
}
