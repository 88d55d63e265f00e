package dev.tether.proxy.log;

import java.util.Arrays;

/**
 * A growable byte array that one access-log line is encoded into: ASCII and UTF-8 appended
 * directly, numbers written digit by digit, so encoding a line allocates nothing once the array has
 * reached the longest line seen. Not thread-safe: each event loop has its own.
 */
final class LineBytes {

  private static final byte[] HEX =
      "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] MIN_LONG =
      Long.toString(Long.MIN_VALUE).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private byte[] bytes;
  private int length;

  LineBytes(int initialCapacity) {
    this.bytes = new byte[Math.max(16, initialCapacity)];
  }

  byte[] array() {
    return bytes;
  }

  int length() {
    return length;
  }

  void clear() {
    length = 0;
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }

  LineBytes ascii(char c) {
    ensure(1);
    bytes[length++] = (byte) c;
    return this;
  }

  /** Appends {@code s}, which must be ASCII (a literal of this package). */
  LineBytes ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      bytes[length++] = (byte) s.charAt(i);
    }
    return this;
  }

  /**
   * Appends {@code s} as UTF-8; a lone surrogate becomes {@code ?}, as {@code String.getBytes}
   * does.
   */
  LineBytes utf8(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        ensure(1);
        bytes[length++] = (byte) c;
      } else {
        i = utf8(s, i, c);
      }
    }
    return this;
  }

  /** Appends {@code s}, replacing each {@code "} with {@code '} (the plain format's note). */
  LineBytes utf8NoQuotes(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        ensure(1);
        bytes[length++] = (byte) (c == '"' ? '\'' : c);
      } else {
        i = utf8(s, i, c);
      }
    }
    return this;
  }

  /**
   * Writes the non-ASCII char at {@code i} (and its low surrogate); returns the last index used.
   */
  private int utf8(String s, int i, char c) {
    ensure(4);
    if (c < 0x800) {
      bytes[length++] = (byte) (0xc0 | (c >> 6));
      bytes[length++] = (byte) (0x80 | (c & 0x3f));
    } else if (Character.isHighSurrogate(c)
        && i + 1 < s.length()
        && Character.isLowSurrogate(s.charAt(i + 1))) {
      int cp = Character.toCodePoint(c, s.charAt(i + 1));
      bytes[length++] = (byte) (0xf0 | (cp >> 18));
      bytes[length++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
      bytes[length++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
      bytes[length++] = (byte) (0x80 | (cp & 0x3f));
      return i + 1;
    } else if (Character.isSurrogate(c)) {
      bytes[length++] = '?';
    } else {
      bytes[length++] = (byte) (0xe0 | (c >> 12));
      bytes[length++] = (byte) (0x80 | ((c >> 6) & 0x3f));
      bytes[length++] = (byte) (0x80 | (c & 0x3f));
    }
    return i;
  }

  /**
   * Appends {@code s} as the inside of a JSON string: {@code "} and {@code \} escaped, control
   * characters, DEL and every non-ASCII char as {@code \}{@code uXXXX} (a pair for a supplementary
   * char), so the line is ASCII and valid JSON whatever the path or host held.
   */
  LineBytes jsonEscaped(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        ensure(2);
        bytes[length++] = '\\';
        bytes[length++] = (byte) c;
      } else if (c < 0x20 || c >= 0x7f) {
        ensure(6);
        bytes[length++] = '\\';
        bytes[length++] = 'u';
        bytes[length++] = HEX[(c >> 12) & 0xf];
        bytes[length++] = HEX[(c >> 8) & 0xf];
        bytes[length++] = HEX[(c >> 4) & 0xf];
        bytes[length++] = HEX[c & 0xf];
      } else {
        ensure(1);
        bytes[length++] = (byte) c;
      }
    }
    return this;
  }

  /** Appends {@code v} in decimal, without boxing or a temporary string. */
  LineBytes number(long v) {
    if (v == Long.MIN_VALUE) {
      ensure(MIN_LONG.length);
      System.arraycopy(MIN_LONG, 0, bytes, length, MIN_LONG.length);
      length += MIN_LONG.length;
      return this;
    }
    if (v < 0) {
      ascii('-');
      v = -v;
    }
    int digits = 1;
    for (long p = 10; digits < 19 && v >= p; p *= 10) {
      digits++;
    }
    ensure(digits);
    int end = length + digits;
    for (int i = end - 1; i >= length; i--) {
      bytes[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
    length = end;
    return this;
  }

  /** Appends {@code v} as exactly {@code width} digits, zero-padded ({@code v} non-negative). */
  LineBytes padded(int v, int width) {
    ensure(width);
    for (int i = length + width - 1; i >= length; i--) {
      bytes[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
    length += width;
    return this;
  }

  /**
   * Appends {@code micros / 1000} with three decimals, as {@code %.3f} prints it: {@code 1.500}.
   */
  LineBytes millis3(long micros) {
    if (micros < 0) {
      if (micros == Long.MIN_VALUE) {
        micros++; // one microsecond off at the very end of the range, never a real duration
      }
      ascii('-');
      micros = -micros;
    }
    number(micros / 1000).ascii('.');
    return padded((int) (micros % 1000), 3);
  }

  /** Appends {@code n} bytes of {@code src} from {@code off}. */
  LineBytes bytes(byte[] src, int off, int n) {
    ensure(n);
    System.arraycopy(src, off, bytes, length, n);
    length += n;
    return this;
  }
}
