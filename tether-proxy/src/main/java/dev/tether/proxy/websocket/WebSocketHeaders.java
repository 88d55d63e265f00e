package dev.tether.proxy.websocket;

import io.netty.util.AsciiString;

/**
 * The headers Tether sends to the servers of a managed pool with a WebSocket handshake; only the
 * balancer may set them (they are removed from client requests).
 *
 * <ul>
 *   <li>{@code Tether-WebSocket-Id: <id>} on every handshake: the connection's id, 256 random bits
 *       in URL-safe Base64, the same for the connection's whole life across servers;
 *   <li>{@code Tether-WebSocket-Resume: <id>; received=<n>; sent=<n>} only when a connection whose
 *       server was lost is opened again on a new server: {@code received} counts the client's
 *       messages Tether forwarded to servers so far, {@code sent} the messages Tether delivered to
 *       the client so far (both over the connection's whole life).
 * </ul>
 */
public final class WebSocketHeaders {

  /** The connection's id, on every handshake of a managed connection. */
  public static final AsciiString ID = AsciiString.cached("tether-websocket-id");

  /** Present on a resumed connection's handshake only. */
  public static final AsciiString RESUME = AsciiString.cached("tether-websocket-resume");

  private WebSocketHeaders() {}

  /** The {@link #RESUME} value. */
  static String resume(String id, long received, long sent) {
    return id + "; received=" + received + "; sent=" + sent;
  }
}
