package dev.tether.proxy.limit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a client that sends a request body slower than {@code min-body-rate} (slow POST, "R U Dead
 * Yet"). After the framing gate, so it sees requests and body pieces.
 *
 * <p>Design note. Auto-read is off: the frontend asks for more body with {@code read()} only when
 * the backend can take it. So the client owes progress exactly from such a {@code read()} until a
 * body piece arrives, and a backend that reads slowly never makes its client look slow. A timer
 * runs only while a body is incomplete and judges every {@code slow-client-window} of owed time
 * ({@link RateWindow}); a body that arrives in the same read as its head costs nothing. A slow
 * client is closed, which the frontend sees as {@code channelInactive} and answers by abandoning
 * the exchange and its backend connection. It also does the listener's shared checks ({@link
 * ListenerChecks}), which then need no pipeline slot of their own.
 *
 * <p>Confined to the connection's event loop.
 */
final class BodyRateHandler extends ChannelDuplexHandler implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(BodyRateHandler.class);

  private final long windowNanos;
  private final long minBytesPerSecond;
  private RateWindow window; // made for the connection's first body: a GET-only one holds none
  private final LimitCounters counters;
  private final ListenerChecks checks;
  private ChannelHandlerContext ctx;
  private boolean inBody;
  private ScheduledFuture<?> check;

  BodyRateHandler(
      long windowNanos, long minBytesPerSecond, LimitCounters counters, ListenerChecks checks) {
    this.windowNanos = windowNanos;
    this.minBytesPerSecond = minBytesPerSecond;
    this.counters = counters;
    this.checks = checks;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest req) {
      inBody =
          !(msg instanceof LastHttpContent)
              && (HttpUtil.isTransferEncodingChunked(req)
                  || HttpUtil.getContentLength(req, 0L) > 0);
      if (inBody) {
        if (window == null) {
          window = new RateWindow(windowNanos, minBytesPerSecond);
        }
        window.reset();
      }
    }
    if (inBody && msg instanceof HttpContent c) {
      window.stopOwing(now());
      window.progress(c.content().readableBytes());
      if (msg instanceof LastHttpContent) {
        inBody = false;
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    checks.userEventTriggered(ctx, evt);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    checks.write(ctx, msg, promise);
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (inBody) {
      window.startOwing(now());
      if (check == null) {
        check = ctx.executor().schedule(this, windowNanos, TimeUnit.NANOSECONDS);
      }
    }
    ctx.read();
  }

  /** The check every window while a body is owed; scheduled with {@code this} (no lambda held). */
  @Override
  public void run() {
    check = null;
    if (!inBody || !ctx.channel().isActive()) {
      return;
    }
    if (window.tooSlow(now())) {
      counters.increment(LimitCounters.Reason.SLOW_BODY);
      log.info(
          "{}: request body slower than the minimum rate; connection closed",
          ctx.channel().remoteAddress());
      inBody = false;
      ctx.close();
      return;
    }
    check = ctx.executor().schedule(this, windowNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inBody = false;
    if (check != null) {
      check.cancel(false);
      check = null;
    }
    ctx.fireChannelInactive();
  }

  private long now() {
    return ctx.executor().ticker().nanoTime();
  }
}
