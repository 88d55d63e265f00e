package dev.tether.proxy.http;

/** Byte classes of RFC 9110 §5.6.2 and RFC 9112 used by the scanner, as lookup tables. */
final class HttpSyntax {

  static final byte CR = '\r';
  static final byte LF = '\n';
  static final byte SP = ' ';
  static final byte HTAB = '\t';

  private static final boolean[] TCHAR = new boolean[256];
  private static final boolean[] FIELD_VALUE = new boolean[256];
  private static final boolean[] TARGET = new boolean[256];
  private static final boolean[] HOST = new boolean[256];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
    // field-value: VCHAR, SP, HTAB, obs-text (0x80-0xFF); never CTLs, CR, LF or NUL.
    for (int c = 0x21; c <= 0x7E; c++) {
      FIELD_VALUE[c] = true;
      TARGET[c] = true;
    }
    for (int c = 0x80; c <= 0xFF; c++) {
      FIELD_VALUE[c] = true;
    }
    FIELD_VALUE[SP] = true;
    FIELD_VALUE[HTAB] = true;
    // Host: uri-host [ ":" port ] — unreserved / pct-encoded / sub-delims, IP-literal brackets.
    for (int c = '0'; c <= '9'; c++) {
      HOST[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      HOST[c] = true;
      HOST[c - 'a' + 'A'] = true;
    }
    for (char c : "-._~%!$&'()*+;=:[]".toCharArray()) {
      HOST[c] = true;
    }
  }

  private HttpSyntax() {}

  static boolean isTchar(int b) {
    return TCHAR[b & 0xFF];
  }

  static boolean isFieldValueByte(int b) {
    return FIELD_VALUE[b & 0xFF];
  }

  static boolean isTargetByte(int b) {
    return TARGET[b & 0xFF];
  }

  static boolean isHostByte(int b) {
    return HOST[b & 0xFF];
  }

  static boolean isWhitespace(int b) {
    return b == SP || b == HTAB;
  }

  static boolean isHexDigit(int b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }

  static boolean isToken(CharSequence s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 0xFF || !isTchar(c)) {
        return false;
      }
    }
    return true;
  }

  /** A byte for a message: printable as itself, otherwise as {@code 0xNN}. */
  static String describe(int b) {
    int v = b & 0xFF;
    return v > 0x20 && v < 0x7F ? "'" + (char) v + "'" : String.format("0x%02X", v);
  }
}
