package dev.tether.proxy.tunnel;

import io.netty.buffer.ByteBuf;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Turns a client connection and a backend connection into a byte tunnel after a {@code 101
 * Switching Protocols} (WebSocket). Each side relays to the other with back-pressure: a side is
 * read only while the other is writable. Silence in both directions for the tunnel timeout closes
 * both; either side closing closes the other after flushing what it sent.
 *
 * <p>A tunnel started with a {@link TunnelRegistry} is registered under its server until its
 * backend connection closes, so that a drain can count and close it. For a WebSocket the relay
 * towards the client follows the backend's frame headers ({@link WebSocketFrames}); asked to go
 * away, it lets the frame in progress finish, then sends the client a close frame with code 1001
 * (Going Away, RFC 6455 §7.4.1) instead of the backend's further bytes, and closes the backend
 * connection. The client connection stays open for the client's own close frame (read and dropped)
 * and is closed when the client closes it or after {@link #CLOSE_GRACE}.
 */
public final class Tunnel {

  /** How long a client told to go away may take to close its side. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** Close code 1001, Going Away (RFC 6455 §7.4.1). */
  static final int GOING_AWAY = 1001;

  private static final byte[] REASON = "server draining".getBytes(StandardCharsets.UTF_8);

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
  public static void start(
      Channel client,
      Channel backend,
      Duration idle,
      Consumer<ChannelPipeline> removeClientHttp,
      ChannelHandler clientHandler) {
    start(client, backend, idle, removeClientHttp, clientHandler, null, null, false);
  }

  /**
   * As {@link #start(Channel, Channel, Duration, Consumer, ChannelHandler)}, registering the tunnel
   * in {@code registry} ({@code null}: not registered) under {@code server}.
   *
   * @param webSocket the upgrade was to WebSocket: frames are followed so the tunnel can be closed
   *     with a close frame
   */
  public static void start(
      Channel client,
      Channel backend,
      Duration idle,
      Consumer<ChannelPipeline> removeClientHttp,
      ChannelHandler clientHandler,
      TunnelRegistry registry,
      String server,
      boolean webSocket) {
    long idleNanos = idle.toNanos();
    Relay toBackend = new Relay(backend, null);
    Relay toClient = new Relay(client, webSocket ? new WebSocketFrames() : null);
    if (registry != null) {
      Runnable remove = registry.add(new Open(server, client, backend, toClient));
      backend.closeFuture().addListener(f -> remove.run());
    }

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
    dev.tether.proxy.backend.ClientCodec.uninstall(bp);
    client.read();
    backend.read();
  }

  /** A registered tunnel; {@link #goAway()} hops to the tunnel's event loop. */
  private record Open(String server, Channel client, Channel backend, Relay toClient)
      implements TunnelRegistry.Entry {
    @Override
    public boolean webSocket() {
      return toClient.frames != null;
    }

    @Override
    public void goAway() {
      toClient.goAwayRequested = true;
      backend
          .eventLoop()
          .execute(
              () -> {
                if (toClient.frames == null) {
                  close();
                } else {
                  toClient.goAway();
                }
              });
    }

    @Override
    public boolean goingAway() {
      return toClient.goAwayRequested;
    }

    @Override
    public void close() {
      backend.close();
      client.close();
    }
  }

  /**
   * Relays everything read on its channel to {@code peer}; with {@code frames}, follows the
   * WebSocket frames it relays so that it can end the stream with a close frame of its own.
   */
  static final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    final WebSocketFrames frames;
    private ChannelHandlerContext ctx;

    /** Set from any thread when a drain asks this tunnel to go away. */
    volatile boolean goAwayRequested;

    /** Waiting for the frame in progress to end before the close frame goes out. */
    private boolean goingAway;

    /** The close frame went out: nothing more is relayed. */
    private boolean closeSent;

    Relay(Channel peer, WebSocketFrames frames) {
      this.peer = peer;
      this.frames = frames;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (closeSent || !peer.isActive()) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (frames != null && msg instanceof ByteBuf buf) {
        if (goingAway) {
          int n = frames.untilBoundary(buf);
          if (n >= 0) {
            if (n > 0) {
              peer.write(buf.retainedSlice(buf.readerIndex(), n), peer.voidPromise());
            }
            buf.release();
            sendClose();
            return;
          }
        } else {
          frames.skip(buf);
        }
      }
      peer.write(msg, peer.voidPromise());
    }

    /**
     * On the event loop: close at the next frame boundary, unless the backend is closing already.
     */
    void goAway() {
      if (goingAway || closeSent || ctx == null || !peer.isActive() || frames.closeSeen()) {
        return;
      }
      goingAway = true;
      if (frames.atBoundary()) {
        sendClose();
      }
    }

    private void sendClose() {
      closeSent = true;
      ByteBuf frame = peer.alloc().buffer(4 + REASON.length);
      frame.writeByte(0x88); // FIN, opcode close
      frame.writeByte(2 + REASON.length); // unmasked: server to client
      frame.writeShort(GOING_AWAY);
      frame.writeBytes(REASON);
      peer.writeAndFlush(frame, peer.voidPromise());
      ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      peer.flush();
      // With the peer gone, keep reading (and dropping) so this side's close is noticed.
      if (peer.isWritable() || !peer.isActive()) {
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
      if (closeSent) {
        // The client was told to go away: it closes, or is closed after the grace period.
        peer.eventLoop()
            .schedule(() -> closeOnFlush(peer), CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        return;
      }
      closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
      if (closeSent) {
        // Closing the backend after the close frame fails the client bytes still queued for it.
        // The client keeps its grace period: closing it now would reset a connection whose
        // close frame it may not have read yet, and a reset discards unread data.
        return;
      }
      closeOnFlush(peer);
    }

    static void closeOnFlush(Channel ch) {
      if (ch.isActive()) {
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
