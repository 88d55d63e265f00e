package dev.tether.proxy.websocket;

import dev.tether.proxy.config.WebSocketConfig;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A managed connection's clock, apart from its resume's ({@link Resumer}): Tether's pings to the
 * client every {@code websocket-ping}, the wait for a drained server's close, and the grace a
 * client told to close has to close first.
 *
 * <p>A class of its own because these timers share nothing with the relay's state: the pings and
 * the grace act on the client connection alone, the drain's wait runs the check its {@link
 * ManagedWebSocket} gives it, and all stop together when the connection ends ({@link #cancel}).
 * Confined to the client connection's event loop.
 */
final class Timers {

  /** How long a client told to close may take to send its own close frame. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final Channel client;
  private final Duration resumeTimeout;
  private Future<?> pinger;
  private Future<?> moveDeadline;
  private long pings;

  /** Starts pinging {@code client} unless {@code config} turns pings off. */
  Timers(Channel client, WebSocketConfig config) {
    this.client = client;
    this.resumeTimeout = config.resumeTimeout();
    long ping = config.ping().toNanos();
    if (ping > 0) {
      pinger = client.eventLoop().scheduleAtFixedRate(this::ping, ping, ping, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Pings while the client connection is open; the connection's end cancels the pinger in the same
   * turn of the loop, so no ping follows a close of Tether's own.
   */
  private void ping() {
    if (client.isActive()) {
      client.writeAndFlush(new PingWebSocketFrame(Unpooled.copyLong(++pings)));
    }
  }

  /**
   * A drained server was sent its close: runs {@code late} unless {@link #moved} comes first, after
   * the resume timeout or {@link #CLOSE_GRACE}, whichever is shorter.
   */
  void moving(Runnable late) {
    long wait = Math.min(resumeTimeout.toNanos(), CLOSE_GRACE.toNanos());
    moveDeadline = client.eventLoop().schedule(late, wait, TimeUnit.NANOSECONDS);
  }

  /** The connection has let go of its server: the wait for a drained server's close is over. */
  void moved() {
    cancel(moveDeadline);
  }

  /** The client connection closes after {@link #CLOSE_GRACE} unless it closes first. */
  void closeLater() {
    client
        .eventLoop()
        .schedule(
            () -> {
              if (client.isActive()) {
                client.close();
              }
            },
            CLOSE_GRACE.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /** Stops the pings and the wait for a drained server (the connection has ended). */
  void cancel() {
    cancel(moveDeadline);
    cancel(pinger);
  }

  static void cancel(Future<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }
}
