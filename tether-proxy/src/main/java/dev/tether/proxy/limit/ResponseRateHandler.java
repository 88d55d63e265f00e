package dev.tether.proxy.limit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a client that reads responses slower than {@code min-response-rate} (slow read: a small
 * TCP window, or no reading at all), which would otherwise hold its backend connection for as
 * long as it likes: the frontend stops reading the backend while the client is not writable and
 * suspends the server timeout meanwhile. First in the pipeline, so it sees the encoded bytes.
 *
 * <p>Design note. The client owes progress while its connection is not writable (the write buffer
 * is past its high-water mark: the socket takes no more). Bytes the socket took are counted as
 * written minus still pending in the outbound buffer. Owed time and bytes add up across
 * unwritable stretches until a window is judged, so a client that reads just enough to bounce
 * between the water marks is measured like one that never does. A timer runs only while the connection is
 * not writable and judges each {@code slow-client-window} of it ({@link RateWindow}). Closing the
 * client makes the frontend abandon the exchange and close the backend connection.
 *
 * <p>Confined to the connection's event loop.
 */
final class ResponseRateHandler extends ChannelDuplexHandler {

  private static final Logger log = LoggerFactory.getLogger(ResponseRateHandler.class);

  private final long windowNanos;
  private final RateWindow window;
  private final LimitCounters counters;
  private ChannelHandlerContext ctx;
  private long written;
  private long drainedMark;
  private ScheduledFuture<?> check;

  ResponseRateHandler(long windowNanos, long minBytesPerSecond, LimitCounters counters) {
    this.windowNanos = windowNanos;
    this.window = new RateWindow(windowNanos, minBytesPerSecond);
    this.counters = counters;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b) {
      written += b.readableBytes();
    } else if (msg instanceof ByteBufHolder h) {
      written += h.content().readableBytes();
    } else if (msg instanceof FileRegion f) {
      written += f.count() - f.transferred();
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    long now = now();
    if (!ctx.channel().isWritable()) {
      if (!window.owing()) {
        long drained = drained();
        window.progress(drained - drainedMark);
        drainedMark = drained;
        window.startOwing(now);
      }
      if (check == null) {
        check = ctx.executor().schedule(this::check, windowNanos, TimeUnit.NANOSECONDS);
      }
    } else {
      window.stopOwing(now);
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void check() {
    check = null;
    if (!ctx.channel().isActive() || !window.owing()) {
      return;
    }
    long drained = drained();
    window.progress(drained - drainedMark);
    drainedMark = drained;
    if (window.tooSlow(now())) {
      counters.increment(LimitCounters.Reason.SLOW_READ);
      log.info("{}: the client reads the response slower than the minimum rate; connection closed",
          ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    check = ctx.executor().schedule(this::check, windowNanos, TimeUnit.NANOSECONDS);
  }

  /** Bytes the socket has taken so far. */
  private long drained() {
    ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
    return written - (out == null ? 0 : out.totalPendingWriteBytes());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
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
