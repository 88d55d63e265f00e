package dev.tether.session.servlet;

import static java.util.Objects.requireNonNull;

/**
 * How the session id travels: a cookie, and only a cookie (never the URL, OWASP R23/R24). Defaults
 * follow session-anchors §8.7: name {@code TSESSION}, with the {@code __Host-} prefix when {@code
 * Secure} (which forces {@code Path=/} and no {@code Domain}, R17), {@code HttpOnly} (R18), {@code
 * SameSite=Lax} (R19), no {@code Max-Age}/{@code Expires} so it dies with the browser (R21).
 *
 * <pre>{@code
 * SessionCookie cookie = SessionCookie.defaults();            // __Host-TSESSION, Secure
 * SessionCookie dev = SessionCookie.defaults().insecure();    // TSESSION over plain HTTP
 * }</pre>
 *
 * @param baseName the name without prefix; letters, digits, {@code -} and {@code _}
 * @param secure whether to send {@code Secure} (and use the {@code __Host-} prefix)
 * @param sameSite {@code Strict} or {@code Lax} ({@code None} is refused)
 */
public record SessionCookie(String baseName, boolean secure, String sameSite) {

  /** The {@code __Host-} prefix used when secure. */
  public static final String HOST_PREFIX = "__Host-";

  /** The most bytes a cookie's name and value may take together (ASVS 5 3.3.5, R22). */
  public static final int MAX_NAME_AND_VALUE = 4096;

  /** Room kept for the value: a 43-character id plus a route suffix of up to 84 characters. */
  static final int VALUE_ROOM = 128;

  public SessionCookie {
    requireNonNull(baseName, "baseName");
    requireNonNull(sameSite, "sameSite");
    if (baseName.isEmpty()
        || !baseName
            .chars()
            .allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_')) {
      throw new IllegalArgumentException(
          "cookie name '" + baseName + "' must be non-empty ASCII letters, digits, - or _");
    }
    if (baseName.length() + HOST_PREFIX.length() + VALUE_ROOM > MAX_NAME_AND_VALUE) {
      throw new IllegalArgumentException(
          "cookie name of "
              + baseName.length()
              + " characters is too long: name and value must fit "
              + MAX_NAME_AND_VALUE
              + " bytes, so the name may have at most "
              + (MAX_NAME_AND_VALUE - HOST_PREFIX.length() - VALUE_ROOM)
              + " characters");
    }
    if (!sameSite.equals("Strict") && !sameSite.equals("Lax")) {
      throw new IllegalArgumentException(
          "SameSite '" + sameSite + "' is not allowed for a session cookie; use Strict or Lax");
    }
  }

  /** {@code __Host-TSESSION}, Secure, HttpOnly, SameSite=Lax. */
  public static SessionCookie defaults() {
    return new SessionCookie("TSESSION", true, "Lax");
  }

  /** The same without {@code Secure} and prefix, for plain-HTTP development set-ups. */
  public SessionCookie insecure() {
    return new SessionCookie(baseName, false, sameSite);
  }

  /** The cookie name as sent. */
  public String name() {
    return secure ? HOST_PREFIX + baseName : baseName;
  }

  /**
   * A {@code Set-Cookie} value carrying {@code id}.
   *
   * @throws IllegalArgumentException when name and value together exceed {@link
   *     #MAX_NAME_AND_VALUE} bytes (browsers would drop the cookie silently)
   */
  public String setCookie(String id) {
    if (name().length() + 1 + id.length() > MAX_NAME_AND_VALUE) {
      throw new IllegalArgumentException(
          "session cookie "
              + name()
              + " with a value of "
              + id.length()
              + " characters exceeds "
              + MAX_NAME_AND_VALUE
              + " bytes");
    }
    return name()
        + "="
        + id
        + "; Path=/"
        + (secure ? "; Secure" : "")
        + "; HttpOnly; SameSite="
        + sameSite;
  }

  /** A {@code Set-Cookie} value that deletes the cookie. */
  public String expireCookie() {
    return expireCookie(name());
  }

  /**
   * A {@code Set-Cookie} value for the cookie {@code cookieName} (one part of a sealed session,
   * {@code NAME.1}, ...) with this cookie's attributes.
   *
   * @throws IllegalArgumentException when name and value together exceed {@link
   *     #MAX_NAME_AND_VALUE} bytes
   */
  String setCookie(String cookieName, String value) {
    if (cookieName.length() + 1 + value.length() > MAX_NAME_AND_VALUE) {
      throw new IllegalArgumentException(
          "cookie "
              + cookieName
              + " with a value of "
              + value.length()
              + " characters exceeds "
              + MAX_NAME_AND_VALUE
              + " bytes");
    }
    return cookieName
        + "="
        + value
        + "; Path=/"
        + (secure ? "; Secure" : "")
        + "; HttpOnly; SameSite="
        + sameSite;
  }

  /** A {@code Set-Cookie} value that deletes the cookie {@code cookieName}. */
  String expireCookie(String cookieName) {
    return cookieName
        + "=; Path=/; Max-Age=0"
        + (secure ? "; Secure" : "")
        + "; HttpOnly; SameSite="
        + sameSite;
  }

  /**
   * The session id in a {@code Cookie} request header, or {@code null}. When a client sends the
   * name twice, the first wins.
   */
  public String read(java.util.Enumeration<String> cookieHeaders) {
    if (cookieHeaders == null) {
      return null;
    }
    String prefix = name() + "=";
    while (cookieHeaders.hasMoreElements()) {
      for (String part : cookieHeaders.nextElement().split(";")) {
        String p = part.trim();
        if (p.startsWith(prefix)) {
          return p.substring(prefix.length());
        }
      }
    }
    return null;
  }
}
