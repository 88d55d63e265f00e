package dev.tether.session.cookie;

/**
 * A session whose sealed form does not fit the configured cookies. Nothing was written: the session
 * keeps its previous sealed value, and the servlet filter sends the client no new cookie, so the
 * browser keeps the previous session rather than a truncated one.
 */
public final class SessionTooLargeException extends IllegalStateException {

  private final int size;
  private final int limit;

  SessionTooLargeException(int size, int limit, CookieStoreSettings settings) {
    super(
        "the sealed session is "
            + size
            + " characters but the cookies hold at most "
            + limit
            + " ("
            + settings.maxCookies()
            + " cookies of "
            + settings.cookieSize()
            + " bytes named "
            + settings.cookieName()
            + ", "
            + settings.cookieName()
            + ".1, ...); keep less in the session or raise cookie-size/max-cookies");
    this.size = size;
    this.limit = limit;
  }

  /** The sealed session's length in cookie characters. */
  public int size() {
    return size;
  }

  /** The most characters the configured cookies hold. */
  public int limit() {
    return limit;
  }
}
