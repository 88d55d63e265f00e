package dev.tether.session.cookie;

import static java.util.Objects.requireNonNull;

/**
 * How the {@link CookieSessionStore} lays a sealed session into cookies.
 *
 * @param cookieName the first cookie's name ({@code NAME}; the others are {@code NAME.1}, ...);
 *     must equal the servlet filter's session cookie name
 * @param cookieSize the most bytes one cookie's name, {@code =} and value may take (256..4096)
 * @param maxCookies how many cookies one session may use (1..64)
 * @param trackEveryWrite whether every write records the session's version in the revocation store,
 *     so that a replay of any earlier cookie is refused (without it only logout, id rotation and
 *     principal changes are recorded); needs a revocation store
 */
public record CookieStoreSettings(
    String cookieName, int cookieSize, int maxCookies, boolean trackEveryWrite) {

  /** The default size of one cookie: 4 KiB, what every browser keeps. */
  public static final int DEFAULT_COOKIE_SIZE = 4096;

  /** The default number of cookies: 4. */
  public static final int DEFAULT_MAX_COOKIES = 4;

  public CookieStoreSettings {
    requireNonNull(cookieName, "cookieName");
    if (cookieName.isEmpty()
        || !cookieName
            .chars()
            .allMatch(c -> c < 128 && Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
      throw new IllegalArgumentException(
          "cookie-name '" + cookieName + "' must be non-empty ASCII letters, digits, - or _");
    }
    if (cookieSize < 256 || cookieSize > 4096) {
      throw new IllegalArgumentException(
          "cookie-size " + cookieSize + " is not allowed; use 256..4096 bytes");
    }
    if (cookieName.length() + 4 > cookieSize / 2) {
      throw new IllegalArgumentException(
          "cookie-name of "
              + cookieName.length()
              + " characters leaves too little of cookie-size "
              + cookieSize);
    }
    if (maxCookies < 1 || maxCookies > 64) {
      throw new IllegalArgumentException(
          "max-cookies " + maxCookies + " is not allowed; use 1..64");
    }
  }

  /** {@code __Host-TSESSION}, 4 KiB per cookie, at most 4 cookies, logout and rotation tracked. */
  public static CookieStoreSettings defaults() {
    return new CookieStoreSettings(
        "__Host-TSESSION", DEFAULT_COOKIE_SIZE, DEFAULT_MAX_COOKIES, false);
  }

  /** These settings with cookies named {@code name}. */
  public CookieStoreSettings withCookieName(String name) {
    return new CookieStoreSettings(name, cookieSize, maxCookies, trackEveryWrite);
  }

  /** These settings with {@code size} bytes per cookie and at most {@code count} cookies. */
  public CookieStoreSettings withLimits(int size, int count) {
    return new CookieStoreSettings(cookieName, size, count, trackEveryWrite);
  }

  /** These settings recording every write's version (see {@link #trackEveryWrite()}). */
  public CookieStoreSettings trackingEveryWrite() {
    return new CookieStoreSettings(cookieName, cookieSize, maxCookies, true);
  }

  /** The name of cookie {@code index}: {@code NAME} for 0, else {@code NAME.index}. */
  public String nameOf(int index) {
    return index == 0 ? cookieName : cookieName + "." + index;
  }
}
