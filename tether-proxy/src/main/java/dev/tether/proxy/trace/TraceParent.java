package dev.tether.proxy.trace;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;

/**
 * The W3C Trace Context {@code traceparent} header (level 1, https://www.w3.org/TR/trace-context/
 * §3.2): {@code version-traceid-parentid-flags}, e.g. {@code
 * 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}.
 *
 * <p>Parsing follows the spec's rules for a receiver: lower-case hex only; version {@code ff} is
 * invalid; version {@code 00} is exactly 55 characters; a higher version may carry more after a
 * {@code -}, which is ignored; a trace id or parent id of all zeros is invalid. An invalid header
 * counts as absent: the receiver starts a new trace.
 */
public final class TraceParent {

  /**
   * The header name, lower case as HTTP/2 wants it; HTTP/1.1 headers match it case-insensitively.
   */
  public static final String HEADER = "traceparent";

  /** The vendor-specific companion header, forwarded unchanged with a valid {@code traceparent}. */
  public static final String STATE_HEADER = "tracestate";

  private static final int LENGTH = 55;

  private TraceParent() {}

  /**
   * The remote parent named by {@code value}, or {@code null} when it is missing or malformed. Does
   * not allocate for a malformed value.
   */
  public static SpanContext parse(CharSequence value) {
    if (value == null || value.length() < LENGTH) {
      return null;
    }
    int v0 = hex(value.charAt(0));
    int v1 = hex(value.charAt(1));
    if (v0 < 0 || v1 < 0 || (v0 == 15 && v1 == 15)) {
      return null;
    }
    boolean version00 = v0 == 0 && v1 == 0;
    if (version00
        ? value.length() != LENGTH
        : value.length() > LENGTH && value.charAt(LENGTH) != '-') {
      return null;
    }
    if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
      return null;
    }
    if (!isHex(value, 3, 35)
        || !isHex(value, 36, 52)
        || !isHex(value, 53, 55)
        || allZeros(value, 3, 35)
        || allZeros(value, 36, 52)) {
      return null;
    }
    String s = value.toString();
    byte flags = (byte) (hex(s.charAt(53)) << 4 | hex(s.charAt(54)));
    // Level 1 defines only the sampled bit; other bits are not propagated (§3.2.2.5).
    TraceFlags traceFlags = (flags & 1) != 0 ? TraceFlags.getSampled() : TraceFlags.getDefault();
    return SpanContext.createFromRemoteParent(
        s.substring(3, 35), s.substring(36, 52), traceFlags, TraceState.getDefault());
  }

  /** The {@code traceparent} value (version 00) naming {@code context} as the parent. */
  public static String format(SpanContext context) {
    char[] out = new char[LENGTH];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    context.getTraceId().getChars(0, 32, out, 3);
    out[35] = '-';
    context.getSpanId().getChars(0, 16, out, 36);
    out[52] = '-';
    String flags = context.getTraceFlags().asHex();
    out[53] = flags.charAt(0);
    out[54] = flags.charAt(1);
    return new String(out);
  }

  private static boolean isHex(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (hex(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean allZeros(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  /** The value of a lower-case hex digit, or -1. */
  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
