package dev.tether.proxy.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * The client-side wait timer, first in the client pipeline so it sees raw bytes. While armed (the
 * connection waits for a request head) it allows {@code idle} for the first byte and then {@code
 * request} for the rest of the head. On expiry it fires {@link Expired} with whether any byte of a
 * head had arrived: the frontend answers 408 in that case and closes silently otherwise, like
 * HAProxy's {@code timeout http-request} and {@code timeout http-keep-alive}.
 *
 * <p>Confined to the connection's event loop.
 */
final class RequestTimer extends ChannelInboundHandlerAdapter implements Runnable {

  /** The event fired when the wait expired. */
  record Expired(boolean partialHead) {}

  private final long requestNanos;
  private final Ticker ticker;
  private ChannelHandlerContext ctx;
  private boolean armed;
  private boolean sawBytes;
  private boolean tightenAfterRead;
  private long deadline;
  private ScheduledFuture<?> task;

  RequestTimer(long requestNanos, Ticker ticker) {
    this.requestNanos = requestNanos;
    this.ticker = ticker;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Starts waiting for a request head, allowing {@code idleNanos} for its first byte. */
  void arm(long idleNanos) {
    armed = true;
    sawBytes = false;
    schedule(ticker.nanoTime() + idleNanos);
  }

  /**
   * A request head arrived: stop timing. The scheduled check is left in place and lapses when it
   * runs (or is reused by the next {@link #arm}), so a kept-alive connection costs no
   * schedule/cancel pair per request.
   */
  void disarm() {
    armed = false;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (armed && !sawBytes && msg instanceof ByteBuf b && b.isReadable()) {
      sawBytes = true;
      tightenAfterRead = true;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // Only a head still incomplete after this read gets the shorter request deadline; most heads
    // arrive in one read and were disarmed meanwhile, which costs no rescheduling.
    if (tightenAfterRead) {
      tightenAfterRead = false;
      if (armed) {
        schedule(ticker.nanoTime() + requestNanos);
      }
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    armed = false;
    if (task != null) {
      task.cancel(false);
      task = null;
    }
    ctx.fireChannelInactive();
  }

  private void schedule(long newDeadline) {
    boolean earlier = task != null && newDeadline < deadline;
    deadline = newDeadline;
    if (earlier) {
      task.cancel(false);
      task = null;
    }
    if (task == null) {
      task =
          ctx.executor()
              .schedule(this, Math.max(0, newDeadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  /** The wait's expiry; scheduled with {@code this}, so a waiting connection holds no lambda. */
  @Override
  public void run() {
    task = null;
    if (!armed) {
      return;
    }
    long left = deadline - ticker.nanoTime();
    if (left > 0) {
      task = ctx.executor().schedule(this, left, TimeUnit.NANOSECONDS);
      return;
    }
    armed = false;
    ctx.fireUserEventTriggered(new Expired(sawBytes));
  }
}
