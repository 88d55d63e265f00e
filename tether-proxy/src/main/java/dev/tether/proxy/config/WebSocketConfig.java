package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a pool carries WebSocket connections ({@code pools.<pool>.websocket} and the {@code
 * websocket-*} keys beside it).
 *
 * @param mode {@code tunnel} (the default): a byte relay bound to its server; {@code managed}:
 *     Tether speaks WebSocket on both sides and moves the client's connection to another server
 *     when its own is lost
 * @param buffer client messages held while a managed connection finds a new server ({@code
 *     websocket-buffer}, default 64, 1..100000)
 * @param bufferSize bytes those messages may take, also the largest frame relayed ({@code
 *     websocket-buffer-size}, default 1m, 1k..64m)
 * @param resumeTimeout how long a managed connection may take to find a server that accepts it
 *     ({@code websocket-resume-timeout}, default 10s)
 * @param ping how often Tether pings the client of a managed connection ({@code websocket-ping},
 *     default 30s; 0s: never)
 */
public record WebSocketConfig(
    Mode mode, int buffer, int bufferSize, Duration resumeTimeout, Duration ping) {

  /** How the pool's WebSocket connections are carried. */
  public enum Mode {
    /** A byte relay to one server (closed when that server's connection ends). */
    TUNNEL,
    /** Framed on both sides; the client's connection survives the loss of its server's. */
    MANAGED
  }

  /**
   * Tunnel mode, with the managed defaults ready should the mode change: 64 messages, 1 MiB, 10s,
   * 30s.
   */
  public static final WebSocketConfig DEFAULTS =
      new WebSocketConfig(
          Mode.TUNNEL, 64, 1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(30));

  public WebSocketConfig {
    requireNonNull(mode, "mode");
    requireNonNull(resumeTimeout, "resumeTimeout");
    requireNonNull(ping, "ping");
    if (buffer < 1) {
      throw new IllegalArgumentException("websocket-buffer " + buffer + " must be at least 1");
    }
    if (bufferSize < 1) {
      throw new IllegalArgumentException(
          "websocket-buffer-size " + bufferSize + " must be at least 1 byte");
    }
    if (!resumeTimeout.isPositive()) {
      throw new IllegalArgumentException(
          "websocket-resume-timeout " + resumeTimeout + " must be positive");
    }
    if (ping.isNegative()) {
      throw new IllegalArgumentException("websocket-ping " + ping + " must not be negative");
    }
  }

  /** Whether the pool's WebSocket connections are managed. */
  public boolean managed() {
    return mode == Mode.MANAGED;
  }
}
