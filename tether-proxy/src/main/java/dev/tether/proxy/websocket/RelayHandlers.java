package dev.tether.proxy.websocket;

import dev.tether.proxy.tunnel.TunnelRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handlers of a managed connection's two pipelines, and its registry entry: each reports
 * frames and ends to its {@link ManagedWebSocket}, which does the work on the connection's event
 * loop. The handlers pace the two connections themselves: a read's end flushes what it relayed, and
 * a connection is read on while the one it writes to can take more.
 */
final class RelayHandlers {

  private RelayHandlers() {}

  /** The last handler of the client pipeline. */
  static final class Client extends ChannelInboundHandlerAdapter {
    private final ManagedWebSocket ws;

    Client(ManagedWebSocket ws) {
      this.ws = ws;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof WebSocketFrame f) {
        ws.clientRead(ctx, f);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      Channel b = ws.backend();
      if (b != null) {
        b.flush();
      }
      // Without a backend the client is read on: the bounds end the connection first.
      if (!ws.relaying() || b == null || b.isWritable()) {
        ctx.read();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        Channel b = ws.backend();
        if (b != null) {
          b.read();
        }
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ws.clientIdle();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      ws.clientGone(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ws.clientGone(cause);
      ctx.close();
    }
  }

  /** The last handler of a backend pipeline. */
  static final class Backend extends ChannelInboundHandlerAdapter {
    private final ManagedWebSocket ws;
    private final Channel ch;

    Backend(ManagedWebSocket ws, Channel ch) {
      this.ws = ws;
      this.ch = ch;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof WebSocketFrame f) {
        ws.backendRead(ch, f);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      Channel client = ws.client();
      client.flush();
      if (ws.backend() == ch && (client.isWritable() || !client.isActive())) {
        ctx.read();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && ws.backend() == ch) {
        ws.client().read();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      ws.backendGone(ch);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ws.backendFailed(cause);
      ctx.close();
    }
  }

  /**
   * A backend connection as a drain sees it: asked to go away, the connection moves. Thread-safe.
   */
  static final class Entry implements TunnelRegistry.Entry {
    private final ManagedWebSocket ws;
    private final String server;
    private final Channel ch;
    private volatile boolean asked;

    Entry(ManagedWebSocket ws, String server, Channel ch) {
      this.ws = ws;
      this.server = server;
      this.ch = ch;
    }

    @Override
    public String server() {
      return server;
    }

    @Override
    public boolean webSocket() {
      return true;
    }

    @Override
    public void goAway() {
      asked = true;
      ws.client().eventLoop().execute(() -> ws.drainAsked(ch));
    }

    @Override
    public boolean goingAway() {
      return asked;
    }

    @Override
    public void close() {
      ws.client().eventLoop().execute(ws::closeByBalancer);
    }
  }
}
