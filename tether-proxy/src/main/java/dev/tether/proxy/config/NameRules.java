package dev.tether.proxy.config;

import java.util.Locale;

/** Which characters the configuration allows in names that end up in URLs, cookies and headers. */
public final class NameRules {

  /** Explains {@link #isSimpleName} in an error message. */
  public static final String SIMPLE = "use letters, digits, '.', '_' and '-' (at most 64)";

  private static final String SEPARATORS = "()<>@,;:\\\"/[]?={}";

  private NameRules() {}

  /**
   * How the configuration writes an enum constant: lower case, {@code -} for {@code _}, e.g. {@code
   * birth-rate-spike}.
   */
  public static String configName(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Names of pools, servers, routes and key ids: they appear in admin URLs and tokens. */
  public static boolean isSimpleName(String s) {
    if (s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** An HTTP token (RFC 9110 §5.6.2), which is also what RFC 6265 allows as a cookie name. */
  public static boolean isHttpToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 127 || SEPARATORS.indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** A path as sent in a request or cookie: starts with '/', no spaces, controls, '?', '#', ';'. */
  public static boolean isPath(String s) {
    if (!s.startsWith("/")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 127 || c == '?' || c == '#' || c == ';') {
        return false;
      }
    }
    return true;
  }
}
