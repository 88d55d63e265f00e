package dev.tether.proxy.tunnel;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Turns a client connection and a backend connection into a byte tunnel after a {@code 101
 * Switching Protocols} (WebSocket). Each side relays to the other with back-pressure: a side is
 * read only while the other is writable. Silence in both directions for the tunnel timeout closes
 * both; either side closing closes the other after flushing what it sent.
 */
public final class Tunnel {

  private Tunnel() {}

  /**
   * Rewires both pipelines. The HTTP handlers are removed after the relays are in place, so bytes
   * the codecs had already buffered reach the relays and are not lost.
   *
   * @param client the client connection
   * @param backend the backend connection that answered 101
   * @param idle the tunnel timeout
   * @param removeClientHttp removes the client pipeline's HTTP handlers
   * @param clientHandler the client's HTTP exchange handler, removed as well
   */
  public static void start(Channel client, Channel backend, Duration idle,
      Consumer<ChannelPipeline> removeClientHttp, ChannelHandler clientHandler) {
    long idleNanos = idle.toNanos();
    Relay toBackend = new Relay(backend);
    Relay toClient = new Relay(client);

    ChannelPipeline cp = client.pipeline();
    cp.addLast("tunnel-idle", new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
    cp.addLast("tunnel", toBackend);
    ChannelPipeline bp = backend.pipeline();
    bp.addLast("tunnel-idle", new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
    bp.addLast("tunnel", toClient);

    // Order matters: removing a decoder hands its buffered bytes to the next handler.
    cp.remove(clientHandler);
    removeClientHttp.accept(cp);
    bp.remove("backend");
    bp.remove(dev.tether.proxy.backend.BackendConnector.CODEC);
    client.read();
    backend.read();
  }

  /** Relays everything read on its channel to {@code peer}. */
  static final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    Relay(Channel peer) {
      this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (peer.isActive()) {
        peer.write(msg, peer.voidPromise());
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      peer.flush();
      if (peer.isWritable()) {
        ctx.read();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // This side drained: the peer may read again.
      if (ctx.channel().isWritable()) {
        peer.read();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
        closeOnFlush(peer);
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
      closeOnFlush(peer);
    }

    static void closeOnFlush(Channel ch) {
      if (ch.isActive()) {
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
