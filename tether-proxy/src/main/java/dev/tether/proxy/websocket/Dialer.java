package dev.tether.proxy.websocket;

import io.netty.channel.Channel;

/**
 * Opens the next backend WebSocket of a managed connection whose server was lost. One dialer per
 * connection: it remembers which servers the connection has been on and which refused it, and picks
 * the next by the pool's affinity rules.
 */
interface Dialer {

  /**
   * Picks a server, opens a connection and sends the WebSocket handshake carrying {@code resume} as
   * {@code Tether-WebSocket-Resume}. Calls back exactly once, on the managed connection's event
   * loop.
   */
  void dial(String resume, Callback callback);

  /** Gives up the attempt under way, if any, without calling back (the connection is closing). */
  default void cancel() {}

  /** The outcome of one {@link #dial}. */
  interface Callback {
    /**
     * The server answered 101. {@code backend}'s pipeline frames WebSocket already (client side of
     * the codec); the callee adds its handler to the end, synchronously, before any frame is read.
     */
    void accepted(Channel backend, String server);

    /** No server could be tried, or the one tried refused ({@code reason} says which and how). */
    void refused(String reason);
  }
}
