package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * The {@code limits} section: HTTP/1.1 parsing limits, in bytes unless said otherwise, and the
 * client connection and slow-client limits.
 *
 * @param maxRequestLine the request line ({@code max-request-line}, default 8k, 256..1m)
 * @param maxHeaderSize all header lines together ({@code max-header-size}, default 16k, 1k..1m)
 * @param maxHeaders the number of header fields ({@code max-headers}, default 100, 1..10000)
 * @param maxChunk the largest body piece passed on at once ({@code max-chunk}, default 8k, 1k..16m)
 * @param clients connection counts, accept rates and slow-client rates (see {@link ClientLimits})
 */
public record Limits(
    int maxRequestLine, int maxHeaderSize, int maxHeaders, int maxChunk, ClientLimits clients) {

  /** Every default. */
  public static final Limits DEFAULTS = new Limits(8 << 10, 16 << 10, 100, 8 << 10);

  public Limits {
    requireNonNull(clients, "clients");
  }

  /** Parsing limits with the default client limits. */
  public Limits(int maxRequestLine, int maxHeaderSize, int maxHeaders, int maxChunk) {
    this(maxRequestLine, maxHeaderSize, maxHeaders, maxChunk, ClientLimits.DEFAULTS);
  }
}
