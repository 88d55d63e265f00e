package dev.tether.proxy.http;

/**
 * Size limits of the request framing layer, all in bytes except {@code maxHeaderCount}.
 *
 * <p>Immutable and thread-safe. Going over a limit is answered with {@code 414 URI Too Long}
 * (request line) or {@code 431 Request Header Fields Too Large} (header section bytes or field
 * count, also for chunked trailers).
 *
 * <pre>{@code
 * HttpFraming.install(pipeline, new FramingLimits(8192, 32768, 100, 16384));
 * }</pre>
 *
 * @param maxRequestLineBytes longest request line, without its CRLF
 * @param maxHeaderBytes largest header section: every field line including its CRLF
 * @param maxHeaderCount most field lines in the header section (and in a trailer section)
 * @param maxChunkSize largest {@code HttpContent} passed downstream; longer bodies and chunks are
 *     streamed in pieces of at most this size
 */
public record FramingLimits(
    int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount, int maxChunkSize) {

  /**
   * 8192-byte request line, 16384 header bytes (HAProxy's bufsize), 100 fields (Envoy), 8192-byte
   * pieces.
   */
  public static final FramingLimits DEFAULTS = new FramingLimits(8192, 16384, 100, 8192);

  /** Largest value accepted for any limit, so that internal sums cannot overflow. */
  public static final int MAX_LIMIT = 1 << 24;

  /**
   * Validates the limits.
   *
   * @throws IllegalArgumentException if a limit is outside 1..{@value #MAX_LIMIT}, or the request
   *     line limit is below 16 bytes (no request would fit)
   */
  public FramingLimits {
    check("maxRequestLineBytes", maxRequestLineBytes, 16);
    check("maxHeaderBytes", maxHeaderBytes, 1);
    check("maxHeaderCount", maxHeaderCount, 1);
    check("maxChunkSize", maxChunkSize, 1);
  }

  private static void check(String name, int value, int min) {
    if (value < min || value > MAX_LIMIT) {
      throw new IllegalArgumentException(
          name + " is " + value + "; allowed: " + min + ".." + MAX_LIMIT);
    }
  }
}
