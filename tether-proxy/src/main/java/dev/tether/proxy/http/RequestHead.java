package dev.tether.proxy.http;

import static dev.tether.proxy.http.FramingException.badRequest;
import static dev.tether.proxy.http.HttpSyntax.describe;
import static dev.tether.proxy.http.HttpSyntax.isFieldValueByte;
import static dev.tether.proxy.http.HttpSyntax.isHostByte;
import static dev.tether.proxy.http.HttpSyntax.isTargetByte;
import static dev.tether.proxy.http.HttpSyntax.isTchar;
import static dev.tether.proxy.http.HttpSyntax.isWhitespace;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks on one request head: the request line, each field line's syntax, and the message
 * framing decided from Content-Length, Transfer-Encoding and Host (RFC 9112 §3, §5, §6; RFC 9110
 * §5.5, §7.2). Holds the values of those three fields while the head is read; reused per request.
 *
 * <h2>Decisions</h2>
 *
 * <ul>
 *   <li>Content-Length: one field line, {@code 1*DIGIT} (OWS trimmed), at most {@link
 *       Long#MAX_VALUE}. Duplicates are refused even when equal, and so are lists ({@code
 *       1000,1000}), as nginx does.
 *   <li>Transfer-Encoding: only {@code chunked} is supported. If {@code chunked} is not the single,
 *       final coding the body length cannot be determined (RFC 9112 §6.3): 400, as HAProxy does for
 *       {@code gzip}, {@code chunked, gzip}, {@code chunked, chunked}; {@code xchunked} is such a
 *       case. If the framing is determinable ({@code ..., chunked}) but another coding is present:
 *       501 (RFC 9112 §6.1). With Content-Length, or on HTTP/1.0: 400 (nginx).
 *   <li>Host on HTTP/1.1: exactly one, non-empty, {@code uri-host [":" port]} without userinfo,
 *       path or list (RFC 9112 §3.2). An empty Host is refused: an http(s) target always has an
 *       authority. On HTTP/1.0 Host is optional but, when present, checked the same way.
 *   <li>Versions: HTTP/1.0 and HTTP/1.1; another well-formed {@code HTTP/d.d} gets 505.
 * </ul>
 */
final class RequestHead {

  /**
   * Body framing result of {@link #finish()}: chunked. Zero means no body; positive: that length.
   */
  static final long CHUNKED = -1;

  private static final byte[] HOST = "host".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRANSFER_ENCODING =
      "transfer-encoding".getBytes(StandardCharsets.US_ASCII);

  private String method;
  private boolean http11;
  // Content-Length and Host: the first value and how many field lines there were (a second one is
  // refused, so its value is never needed). Transfer-Encoding values are all kept, in a list made
  // for the first request that has one: an idle connection holds no list.
  private String contentLength;
  private int contentLengthLines;
  private String host;
  private int hostLines;
  private List<String> transferEncodings;

  void reset() {
    method = null;
    http11 = false;
    contentLength = null;
    contentLengthLines = 0;
    host = null;
    hostLines = 0;
    if (transferEncodings != null) {
      transferEncodings.clear();
    }
  }

  /** Checks {@code method SP request-target SP HTTP-version} (RFC 9112 §3). */
  void requestLine(byte[] line, int len) throws FramingException {
    int i = 0;
    while (i < len && isTchar(line[i])) {
      i++;
    }
    if (i == 0 || i == len || line[i] != HttpSyntax.SP) {
      throw badRequest(
          i < len
              ? "invalid character "
                  + describe(line[i])
                  + " in the method; expected 'METHOD SP target SP HTTP/1.1'"
              : "request line has no request-target; expected 'METHOD SP target SP HTTP/1.1'");
    }
    method = ascii(line, 0, i);
    int targetStart = ++i;
    while (i < len && isTargetByte(line[i])) {
      i++;
    }
    if (i == targetStart) {
      throw badRequest("empty request-target or more than one space after the method");
    }
    if (i == len || line[i] != HttpSyntax.SP) {
      throw badRequest(
          i < len
              ? "invalid character " + describe(line[i]) + " in the request-target"
              : "request line has no HTTP version");
    }
    String target = ascii(line, targetStart, i);
    checkVersion(line, i + 1, len);
    checkTargetForm(target);
  }

  private void checkVersion(byte[] line, int from, int len) throws FramingException {
    String version = ascii(line, from, len);
    if (version.length() != 8
        || !version.startsWith("HTTP/")
        || !Character.isDigit(version.charAt(5))
        || version.charAt(6) != '.'
        || !Character.isDigit(version.charAt(7))) {
      throw badRequest(
          "malformed HTTP version '" + printable(version) + "'; expected HTTP/1.1 or HTTP/1.0");
    }
    if (version.equals("HTTP/1.1")) {
      http11 = true;
    } else if (!version.equals("HTTP/1.0")) {
      throw new FramingException(
          HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
          version + " is not supported; use HTTP/1.1 or HTTP/1.0");
    }
  }

  private void checkTargetForm(String target) throws FramingException {
    if (target.charAt(0) == '/') {
      return; // origin-form
    }
    if (target.equals("*")) {
      if (!method.equals("OPTIONS")) {
        throw badRequest("asterisk-form request-target is only allowed with OPTIONS");
      }
      return;
    }
    if (method.equals("CONNECT")) {
      return; // authority-form; whether CONNECT is served is decided after this layer
    }
    int colon = target.indexOf("://");
    if (colon > 0 && HttpSyntax.isToken(target.substring(0, colon))) {
      return; // absolute-form (RFC 9112 §3.2.2)
    }
    throw badRequest(
        "invalid request-target; expected '/path', an absolute URI, or '*' with OPTIONS");
  }

  /**
   * Checks one header field line and remembers the framing fields.
   *
   * @param first whether it is the first line after the request line
   */
  void field(byte[] line, int len, boolean first) throws FramingException {
    int colon = checkFieldLine(line, len, first, "header");
    // matched on the bytes, so the many other fields cost no string
    if (nameIs(line, colon, HOST)) {
      if (hostLines++ == 0) {
        host = trimmedValue(line, colon + 1, len);
      }
    } else if (nameIs(line, colon, CONTENT_LENGTH)) {
      if (contentLengthLines++ == 0) {
        contentLength = trimmedValue(line, colon + 1, len);
      }
    } else if (nameIs(line, colon, TRANSFER_ENCODING)) {
      if (transferEncodings == null) {
        transferEncodings = new ArrayList<>(2);
      }
      transferEncodings.add(trimmedValue(line, colon + 1, len));
    }
  }

  /** Whether {@code line[0, length)} is {@code lowerName} in any letter case (names are tokens). */
  static boolean nameIs(byte[] line, int length, byte[] lowerName) {
    if (length != lowerName.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      int b = line[i];
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != lowerName[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks a field line's syntax (RFC 9112 §5, RFC 9110 §5.5): a token name directly followed by a
   * colon, a value of VCHAR, SP, HTAB or obs-text only. CR, LF and NUL never reach here (the
   * scanner refuses them as line-level errors).
   *
   * @return the index of the colon
   */
  static int checkFieldLine(byte[] line, int len, boolean first, String section)
      throws FramingException {
    if (isWhitespace(line[0])) {
      throw badRequest(
          first && section.equals("header")
              ? "whitespace between the request line and the first header field"
              : "obs-fold (a " + section + " line starting with whitespace) is not allowed");
    }
    int i = 0;
    while (i < len && isTchar(line[i])) {
      i++;
    }
    if (i == len || (isWhitespace(line[i]) && indexOf(line, i, len, (byte) ':') < 0)) {
      throw badRequest(section + " line without a colon");
    }
    if (line[i] != ':') {
      throw badRequest(
          isWhitespace(line[i])
              ? "whitespace before the colon in " + section + " field '" + ascii(line, 0, i) + "'"
              : "invalid character " + describe(line[i]) + " in a " + section + " field name");
    }
    if (i == 0) {
      throw badRequest("empty " + section + " field name");
    }
    for (int j = i + 1; j < len; j++) {
      if (!isFieldValueByte(line[j])) {
        throw badRequest(
            "invalid character "
                + describe(line[j])
                + " in the value of "
                + section
                + " field '"
                + ascii(line, 0, i)
                + "'");
      }
    }
    return i;
  }

  /**
   * Decides the body framing once the header section is complete.
   *
   * @return {@link #CHUNKED}, 0 for no body, or the Content-Length
   */
  long finish() throws FramingException {
    long framing = 0;
    if (transferEncodings != null && !transferEncodings.isEmpty()) {
      if (!http11) {
        throw badRequest("Transfer-Encoding on an HTTP/1.0 request");
      }
      if (contentLengthLines > 0) {
        throw badRequest("both Content-Length and Transfer-Encoding");
      }
      TransferCodings.check(String.join(",", transferEncodings));
      framing = CHUNKED;
    } else if (contentLengthLines > 0) {
      framing = contentLength();
    }
    checkHost();
    return framing;
  }

  private long contentLength() throws FramingException {
    if (contentLengthLines > 1) {
      throw badRequest("more than one Content-Length header");
    }
    String value = contentLength;
    int significant = 0;
    while (significant < value.length() - 1 && value.charAt(significant) == '0') {
      significant++;
    }
    boolean digits = !value.isEmpty() && value.length() - significant <= 19;
    for (int i = 0; digits && i < value.length(); i++) {
      digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
    }
    long length = -1;
    if (digits) {
      try {
        length = Long.parseLong(value, significant, value.length(), 10);
      } catch (NumberFormatException e) {
        length = -1; // 19 digits above Long.MAX_VALUE; reported below
      }
    }
    if (length < 0) {
      throw badRequest(
          "invalid Content-Length '"
              + printable(value)
              + "'; allowed: one decimal number up to "
              + Long.MAX_VALUE);
    }
    return length;
  }

  private void checkHost() throws FramingException {
    if (hostLines > 1) {
      throw badRequest("more than one Host header");
    }
    if (hostLines == 0) {
      if (http11) {
        throw badRequest("missing Host header (required in HTTP/1.1)");
      }
      return;
    }
    if (!isValidHost(host)) {
      throw badRequest(
          "invalid Host '" + printable(host) + "'; expected host[:port] without userinfo or path");
    }
  }

  static boolean isValidHost(String host) {
    if (host.isEmpty()) {
      return false;
    }
    int portStart;
    if (host.charAt(0) == '[') {
      int close = host.indexOf(']');
      if (close < 2 || !chars(host, 1, close, "[]")) {
        return false;
      }
      portStart = close + 1;
      if (portStart < host.length() && host.charAt(portStart) != ':') {
        return false;
      }
    } else {
      int colon = host.indexOf(':');
      portStart = colon < 0 ? host.length() : colon;
      if (portStart == 0 || !chars(host, 0, portStart, ":[]")) {
        return false;
      }
    }
    for (int i = portStart + 1; i < host.length(); i++) {
      if (host.charAt(i) < '0' || host.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean chars(String s, int from, int to, String excluded) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c > 0x7F || !isHostByte(c) || excluded.indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] line, int from, int to, byte b) {
    for (int i = from; i < to; i++) {
      if (line[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static String trimmedValue(byte[] line, int from, int to) {
    while (from < to && isWhitespace(line[from])) {
      from++;
    }
    while (to > from && isWhitespace(line[to - 1])) {
      to--;
    }
    return new String(line, from, to - from, StandardCharsets.ISO_8859_1);
  }

  static String ascii(byte[] line, int from, int to) {
    return new String(line, from, to - from, StandardCharsets.ISO_8859_1);
  }

  /** Shortens a client-supplied value for a message and replaces non-printable characters. */
  static String printable(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), 64));
    for (int i = 0; i < value.length() && i < 64; i++) {
      char c = value.charAt(i);
      out.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return value.length() > 64 ? out.append("...").toString() : out.toString();
  }
}
