package dev.tether.proxy.config;

/**
 * The {@code limits} section: HTTP/1.1 parsing limits, in bytes unless said otherwise.
 *
 * @param maxRequestLine the request line ({@code max-request-line}, default 8k, 256..1m)
 * @param maxHeaderSize all header lines together ({@code max-header-size}, default 16k, 1k..1m)
 * @param maxHeaders the number of header fields ({@code max-headers}, default 100, 1..10000)
 * @param maxChunk the largest body piece passed on at once ({@code max-chunk}, default 8k,
 *     1k..16m)
 */
public record Limits(int maxRequestLine, int maxHeaderSize, int maxHeaders, int maxChunk) {

  /** Every default. */
  public static final Limits DEFAULTS = new Limits(8 << 10, 16 << 10, 100, 8 << 10);
}
