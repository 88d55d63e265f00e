package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The {@code timeouts} section.
 *
 * @param connect connecting to a server ({@code connect}, default 5s)
 * @param clientRequest reading a request's headers; past it the client gets 408 ({@code
 *     client-request}, default 10s)
 * @param clientIdle an idle keep-alive client connection ({@code client-idle}, default 75s)
 * @param server waiting for a server's response; past it the client gets 504 ({@code server},
 *     default 60s)
 * @param tunnel an idle upgraded (WebSocket) or CONNECT tunnel ({@code tunnel}, default 1h)
 * @param shutdown the graceful shutdown deadline ({@code shutdown}, default 30s; 0 = immediate)
 */
public record Timeouts(
    Duration connect,
    Duration clientRequest,
    Duration clientIdle,
    Duration server,
    Duration tunnel,
    Duration shutdown) {

  /** Every default. */
  public static final Timeouts DEFAULTS =
      new Timeouts(
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          Duration.ofSeconds(75),
          Duration.ofSeconds(60),
          Duration.ofHours(1),
          Duration.ofSeconds(30));

  public Timeouts {
    requireNonNull(connect, "connect");
    requireNonNull(clientRequest, "clientRequest");
    requireNonNull(clientIdle, "clientIdle");
    requireNonNull(server, "server");
    requireNonNull(tunnel, "tunnel");
    requireNonNull(shutdown, "shutdown");
  }
}
