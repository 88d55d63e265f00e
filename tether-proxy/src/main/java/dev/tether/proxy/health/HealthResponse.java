package dev.tether.proxy.health;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of a health check's HTTP/1.1 response that a check judges: status, headers and, when
 * asked, a bounded prefix of the body (de-chunked). Reads from any {@link InputStream}, so parsing
 * is tested without sockets; every read is bounded (status line {@value #MAX_LINE} bytes, header
 * section {@value #MAX_HEADERS} bytes, body prefix as asked), so a hostile server costs at most a
 * few dozen KiB and one timeout. Interim {@code 1xx} responses are skipped.
 *
 * @param status the status code
 * @param headers header values by lower-case name (the first of repeated ones)
 * @param body the body prefix read ({@code bodyLimit} bytes at most); empty when not asked for
 */
record HealthResponse(int status, Map<String, String> headers, byte[] body) {

  /** The longest status or header line. */
  static final int MAX_LINE = 1024;

  /** The largest header section. */
  static final int MAX_HEADERS = 16 * 1024;

  /** A response the probe cannot use; its message is the probe's failure detail. */
  static final class BadResponse extends IOException {
    BadResponse(String message) {
      super(message);
    }
  }

  /** The header {@code name} (any case), or {@code null}. */
  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Reads one response.
   *
   * @param bodyLimit how many body bytes to read at most; 0 reads none
   * @param stopAt a byte sequence after which the body need not be read further, or {@code null}
   * @param headRequest whether the request was HEAD (a response without body whatever it says)
   * @throws BadResponse when the response is not HTTP/1.x or breaks a limit
   * @throws IOException when reading fails (closed early, reset, timed out)
   */
  static HealthResponse read(InputStream in, int bodyLimit, byte[] stopAt, boolean headRequest)
      throws IOException {
    for (int interim = 0; interim < 5; interim++) {
      String line = line(in, MAX_LINE);
      if (line == null) {
        throw new BadResponse("connection closed before a status line");
      }
      int status = statusOf(line);
      if (status < 0) {
        throw new BadResponse("not an HTTP status line: " + printable(line));
      }
      Map<String, String> headers = headers(in);
      if (status >= 100 && status < 200 && status != 101) {
        continue;
      }
      boolean noBody = headRequest || status < 200 || status == 204 || status == 304;
      byte[] body = noBody || bodyLimit == 0 ? new byte[0] : body(in, headers, bodyLimit, stopAt);
      return new HealthResponse(status, headers, body);
    }
    throw new BadResponse("more than 5 interim 1xx responses");
  }

  private static Map<String, String> headers(InputStream in) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    int total = 0;
    while (true) {
      String line = line(in, MAX_LINE);
      if (line == null) {
        throw new BadResponse("connection closed inside the headers");
      }
      if (line.isEmpty()) {
        return headers;
      }
      total += line.length() + 2;
      if (total > MAX_HEADERS) {
        throw new BadResponse("header section longer than " + MAX_HEADERS + " bytes");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new BadResponse("malformed header line: " + printable(line));
      }
      headers.putIfAbsent(
          line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).strip());
    }
  }

  private static byte[] body(InputStream in, Map<String, String> headers, int limit, byte[] stopAt)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 4096));
    String te = headers.get("transfer-encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      while (out.size() < limit) {
        String sizeLine = line(in, MAX_LINE);
        if (sizeLine == null) {
          break;
        }
        int semi = sizeLine.indexOf(';');
        String hex = (semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip();
        long size;
        try {
          size = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          throw new BadResponse("bad chunk size: " + printable(sizeLine));
        }
        if (size == 0) {
          break;
        }
        if (copy(in, out, Math.min(size, limit - out.size()), stopAt) || out.size() >= limit) {
          break;
        }
        if (line(in, MAX_LINE) == null) {
          break;
        }
      }
      return out.toByteArray();
    }
    String cl = headers.get("content-length");
    long length = limit;
    if (cl != null) {
      try {
        length = Math.min(limit, Long.parseLong(cl.strip()));
      } catch (NumberFormatException e) {
        throw new BadResponse("bad Content-Length: " + printable(cl));
      }
    }
    copy(in, out, length, stopAt);
    return out.toByteArray();
  }

  /**
   * Copies up to {@code n} bytes; true when {@code stopAt} was seen (the rest need not be read).
   */
  private static boolean copy(InputStream in, ByteArrayOutputStream out, long n, byte[] stopAt)
      throws IOException {
    byte[] buf = new byte[4096];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        return false;
      }
      out.write(buf, 0, r);
      left -= r;
      if (stopAt != null && indexOf(out.toByteArray(), stopAt) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Where {@code needle} starts in {@code hay}, or -1. */
  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** One line without CRLF (or LF); {@code null} when the stream ends before any byte. */
  private static String line(InputStream in, int max) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        return sb.isEmpty() ? null : sb.toString();
      }
      if (b == '\n') {
        int end =
            !sb.isEmpty() && sb.charAt(sb.length() - 1) == '\r' ? sb.length() - 1 : sb.length();
        return sb.substring(0, end);
      }
      if (sb.length() >= max) {
        throw new BadResponse("line longer than " + max + " bytes");
      }
      sb.append((char) b);
    }
  }

  /** The status code of {@code HTTP/1.x NNN ...}, or -1. */
  static int statusOf(String line) {
    if (line.length() < 12 || !line.startsWith("HTTP/1.") || line.charAt(8) != ' ') {
      return -1;
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      code = code * 10 + (c - '0');
    }
    return line.length() == 12 || line.charAt(12) == ' ' ? code : -1;
  }

  static String printable(String line) {
    String cut = line.length() > 60 ? line.substring(0, 60) + "..." : line;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /** The body prefix as text, for a detail message. */
  String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
