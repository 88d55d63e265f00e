package dev.tether.proxy.backend;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * The client side of a {@link BackendPool#acquire}: the listener for the acquired connection, and
 * the client connection it serves (its event loop, and its ends for a PROXY protocol header).
 */
public interface BackendClient extends BackendListener {

  /** The client connection (for an HTTP/2 stream: the stream's channel). */
  Channel clientChannel();

  /** The client's end as a PROXY header names it, or {@code null} when unknown. */
  InetSocketAddress clientEnd();

  /** The end the client connected to, as a PROXY header names it, or {@code null} when unknown. */
  InetSocketAddress localEnd();
}
