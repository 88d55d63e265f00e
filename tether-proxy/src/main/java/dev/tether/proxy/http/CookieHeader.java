package dev.tether.proxy.http;

/**
 * Finds one cookie's value in a request's {@code Cookie} header without decoding the others. It
 * reads the header exactly as Netty's {@code ServerCookieDecoder.LAX} does, so the value is the one
 * that decoder's set would hold for the name (the first cookie of that name, its surrounding double
 * quotes removed). The difference is what it costs: one pass over the header and one string for the
 * value found, where the decoder makes a sorted set and a cookie object and two strings per cookie.
 *
 * <p>As in that decoder: cookies are separated by {@code ;}, with whitespace and {@code ,} skipped
 * before a name; a value runs to the next {@code ;}; a cookie without {@code =} or with unbalanced
 * quotes is skipped; a name is trimmed of control characters and spaces, then compared exactly
 * (case matters); after a leading {@code $Version} (RFC 2965) the {@code $Path}, {@code $Domain}
 * and {@code $Port} attributes are skipped. One difference: a name of control characters only,
 * which the decoder refuses with an exception, is skipped here (the framing guard lets no control
 * character into a header value, so neither sees one).
 */
public final class CookieHeader {

  private static final String RFC2965_VERSION = "$Version";
  private static final String RFC2965_PATH = "$Path";
  private static final String RFC2965_DOMAIN = "$Domain";
  private static final String RFC2965_PORT = "$Port";

  private CookieHeader() {}

  /**
   * The value of the first cookie called {@code name} in {@code header}, or {@code null} when there
   * is none.
   */
  public static String value(String header, String name) {
    int len = header.length();
    int i = 0;
    boolean rfc2965 = false;
    if (header.regionMatches(true, 0, RFC2965_VERSION, 0, RFC2965_VERSION.length())) {
      i = header.indexOf(';') + 1;
      rfc2965 = true;
    }
    while (true) {
      while (i < len && isSeparator(header.charAt(i))) {
        i++;
      }
      if (i == len) {
        return null;
      }
      int nameBegin = i;
      int nameEnd;
      int valueBegin = -1;
      int valueEnd = -1;
      while (true) {
        char c = header.charAt(i);
        if (c == ';') {
          nameEnd = i;
          break;
        }
        if (c == '=') {
          nameEnd = i++;
          if (i == len) {
            valueBegin = valueEnd = i;
          } else {
            valueBegin = i;
            int semi = header.indexOf(';', i);
            valueEnd = i = semi > 0 ? semi : len;
          }
          break;
        }
        if (++i == len) {
          nameEnd = len;
          break;
        }
      }
      if (rfc2965 && isRfc2965Attribute(header, nameBegin)) {
        continue;
      }
      if (valueBegin < 0 || nameEnd == nameBegin) {
        continue; // no value, or no name: not a cookie
      }
      while (nameEnd > nameBegin && header.charAt(nameEnd - 1) <= ' ') {
        nameEnd--; // a name is trimmed as String.trim does
      }
      while (nameBegin < nameEnd && header.charAt(nameBegin) <= ' ') {
        nameBegin++;
      }
      if (nameEnd == nameBegin) {
        continue;
      }
      if (valueEnd > valueBegin && header.charAt(valueBegin) == '"') {
        if (valueEnd - valueBegin < 2 || header.charAt(valueEnd - 1) != '"') {
          continue; // an opening quote without its closing one
        }
        valueBegin++;
        valueEnd--;
      }
      if (nameEnd - nameBegin == name.length()
          && header.regionMatches(nameBegin, name, 0, name.length())) {
        return header.substring(valueBegin, valueEnd);
      }
    }
  }

  private static boolean isSeparator(char c) {
    return c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r' || c == ' ' || c == ','
        || c == ';';
  }

  private static boolean isRfc2965Attribute(String header, int at) {
    return header.regionMatches(at, RFC2965_PATH, 0, RFC2965_PATH.length())
        || header.regionMatches(at, RFC2965_DOMAIN, 0, RFC2965_DOMAIN.length())
        || header.regionMatches(at, RFC2965_PORT, 0, RFC2965_PORT.length());
  }
}
