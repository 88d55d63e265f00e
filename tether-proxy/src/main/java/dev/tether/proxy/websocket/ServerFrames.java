package dev.tether.proxy.websocket;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * A managed connection's server frames on their way to the client, the counterpart of {@link
 * ClientFrames}: relayed as they come, with no copy kept, since the client's connection is never
 * replaced and nothing written to it is written again. Counts the server messages the client has
 * been given whole, and knows when it has been given part of one, which no other server could
 * finish. Confined to the connection's event loop.
 */
final class ServerFrames {

  private long sent;
  private boolean clientMidMessage;

  /** Writes {@code f} (a data frame) to {@code client}, unflushed. */
  void relay(Channel client, WebSocketFrame f) {
    boolean last = f.isFinalFragment();
    client.write(f, client.voidPromise());
    clientMidMessage = !last;
    if (last) {
      sent++;
    }
  }

  /** Server messages whose last frame was written to the client. */
  long sent() {
    return sent;
  }

  /** The client has been given some, not all, of the frames of a server message. */
  boolean clientMidMessage() {
    return clientMidMessage;
  }
}
