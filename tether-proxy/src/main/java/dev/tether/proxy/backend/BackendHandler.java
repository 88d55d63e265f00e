package dev.tether.proxy.backend;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a backend connection. While an exchange holds the connection it passes every
 * event to that exchange's {@link BackendListener}; while the connection is idle in the pool any
 * inbound data is unexpected and closes it (a connection the backend closed is never handed out).
 *
 * <p>The server timeout is a rolling check, like Netty's {@code IdleStateHandler}, but reset when
 * the connection is borrowed, so time spent idle in the pool never counts against a response. State
 * is confined to the connection's event loop.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(BackendHandler.class);

  private final long timeoutNanos;
  private final Ticker ticker;
  private BackendListener listener;
  private long lastActivityNanos;
  private boolean timeoutSuspended;
  private ScheduledFuture<?> timeoutCheck;
  private ChannelHandlerContext ctx;

  /** When the connection entered the idle pool, for the pool's idle sweep. */
  long idleSinceNanos;

  /**
   * The client connection this connection is kept for (it carries its PROXY header), or {@code
   * null} when shared.
   */
  Object owner;

  /** Requests served on this connection, for reuse statistics. */
  long uses;

  /** What {@link BackendPool#acquire} returns for this connection when it is reused (made once). */
  ChannelFuture acquired;

  BackendHandler(long timeoutNanos, Ticker ticker) {
    this.timeoutNanos = timeoutNanos;
    this.ticker = ticker;
  }

  void attach(BackendListener l) {
    assert ctx == null || ctx.channel().eventLoop().inEventLoop();
    this.listener = l;
    this.timeoutSuspended = false;
    this.lastActivityNanos = ticker.nanoTime();
    uses++;
    if (timeoutCheck == null && ctx != null && timeoutNanos > 0) {
      timeoutCheck =
          ctx.executor().schedule(this::checkTimeout, timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  void detach() {
    this.listener = null;
  }

  boolean attached() {
    return listener != null;
  }

  /** Restarts the server timeout: request bytes were written, or the response is due now. */
  void touch() {
    lastActivityNanos = ticker.nanoTime();
  }

  /**
   * Suspends or resumes the server timeout. While the client cannot take more of the response we
   * stop reading the backend, and its silence is then ours, not its own.
   */
  void suspendTimeout(boolean suspended) {
    this.timeoutSuspended = suspended;
    lastActivityNanos = ticker.nanoTime();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.acquired = ctx.channel().newSucceededFuture();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastActivityNanos = ticker.nanoTime();
    BackendListener l = listener;
    if (l != null && msg instanceof HttpObject http) {
      l.onResponse(ctx.channel(), http);
      return;
    }
    ReferenceCountUtil.release(msg);
    if (l == null) {
      log.debug(
          "backend {} sent data on an idle connection; closing it", ctx.channel().remoteAddress());
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    BackendListener l = listener;
    if (l != null) {
      l.onResponseReadComplete(ctx.channel());
    } else {
      // Idle in the pool: keep a read pending so that a close by the backend is noticed at once.
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    BackendListener l = listener;
    if (l != null) {
      l.onBackendWritabilityChanged(ctx.channel());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimeout();
    BackendListener l = listener;
    listener = null;
    if (l != null) {
      l.onBackendClosed(ctx.channel(), null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    BackendListener l = listener;
    listener = null;
    if (l != null) {
      l.onBackendClosed(ctx.channel(), cause);
    } else {
      log.debug(
          "backend {} failed while idle: {}", ctx.channel().remoteAddress(), cause.toString());
    }
    ctx.close();
  }

  private void checkTimeout() {
    timeoutCheck = null;
    Channel ch = ctx.channel();
    if (!ch.isActive()) {
      return;
    }
    long next = timeoutNanos;
    if (listener != null) {
      long idle = timeoutSuspended ? 0 : ticker.nanoTime() - lastActivityNanos;
      if (idle >= timeoutNanos) {
        BackendListener l = listener;
        listener = null;
        l.onBackendTimeout(ch);
        ch.close();
        return;
      }
      next = timeoutNanos - idle;
      timeoutCheck = ctx.executor().schedule(this::checkTimeout, next, TimeUnit.NANOSECONDS);
    }
    // Idle in the pool: the pool's sweep owns the idle timeout; re-arm on the next attach.
  }

  private void cancelTimeout() {
    if (timeoutCheck != null) {
      timeoutCheck.cancel(false);
      timeoutCheck = null;
    }
  }
}
