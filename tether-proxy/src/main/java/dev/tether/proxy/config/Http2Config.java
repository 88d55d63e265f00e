package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The HTTP/2 front end ({@code http2}).
 *
 * @param cleartext HTTP/2 with prior knowledge (h2c) on a listener without TLS, next to HTTP/1.1
 *     ({@code cleartext}, default false)
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS ({@code max-concurrent-streams},
 *     default 128)
 * @param maxHeaderListSize SETTINGS_MAX_HEADER_LIST_SIZE ({@code max-header-list-size}, default the
 *     listener's {@code limits.max-header-size})
 * @param initialWindowSize each stream's receive window ({@code initial-window-size}, default
 *     64KiB): what a client may send ahead of the backend taking it
 * @param maxResets RST_STREAM frames a client may send per {@code floodWindow} before the
 *     connection is closed with ENHANCE_YOUR_CALM ({@code max-resets}, default 200; rapid reset,
 *     CVE-2023-44487)
 * @param maxControlFrames PING and SETTINGS frames a client may send per {@code floodWindow}
 *     ({@code max-control-frames}, default 500)
 * @param floodWindow the window of both flood limits ({@code flood-window}, default 10s)
 */
public record Http2Config(
    boolean cleartext,
    int maxConcurrentStreams,
    int maxHeaderListSize,
    int initialWindowSize,
    int maxResets,
    int maxControlFrames,
    Duration floodWindow) {

  /** Defaults for a listener with {@code limits.max-header-size} of {@code maxHeaderSize}. */
  public static Http2Config defaults(int maxHeaderSize) {
    return new Http2Config(false, 128, maxHeaderSize, 64 * 1024, 200, 500, Duration.ofSeconds(10));
  }

  public Http2Config {
    requireNonNull(floodWindow, "floodWindow");
  }
}
