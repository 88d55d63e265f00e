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
 * Cuts a client that reads responses slower than {@code min-response-rate} (slow read: a small TCP
 * window, or no reading at all), which would otherwise hold its backend connection for as long as
 * it likes: an exchange ends only when its last bytes reach the socket, and the frontend suspends
 * the server timeout while the client is not writable. First in the pipeline, so it sees the
 * encoded bytes.
 *
 * <p>Design note. Netty hands written bytes to the socket at once; bytes stay pending in the
 * outbound buffer only while the socket takes no more, that is while the client does not read. So a
 * check every {@code slow-client-window} while bytes are pending compares how much the socket took
 * (written minus pending) since the previous check: if bytes were pending at both checks and fewer
 * than the minimum rate's worth (at least one byte) left, the client is cut. This also catches a
 * client that stops reading with less than the write-buffer high-water mark pending, which never
 * turns the connection unwritable. The check is scheduled by a write when none is scheduled and
 * stops when nothing is pending: at most one timer per window per writing connection. Closing the
 * client makes the frontend abandon the exchange and close its backend connection.
 *
 * <p>Confined to the connection's event loop.
 */
final class ResponseRateHandler extends ChannelDuplexHandler implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ResponseRateHandler.class);

  private final long windowNanos;
  private final long minBytesPerWindow;
  private final LimitCounters counters;
  private ChannelHandlerContext ctx;
  private long written;
  private long drainedMark;
  private boolean pendingAtMark;
  private ScheduledFuture<?> check;

  ResponseRateHandler(long windowNanos, long minBytesPerSecond, LimitCounters counters) {
    this.windowNanos = windowNanos;
    this.minBytesPerWindow = Math.max(1, (long) ((double) minBytesPerSecond * windowNanos / 1e9));
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
    if (check == null && ctx.channel().isActive()) {
      drainedMark = drained();
      pendingAtMark =
          false; // the first check only marks: the client owes nothing for time before it
      check = ctx.executor().schedule(this, windowNanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * The check every window while bytes are pending; scheduled with {@code this} (no lambda held).
   */
  @Override
  public void run() {
    check = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    long pending = pending();
    long drained = written - pending;
    if (pendingAtMark && pending > 0 && drained - drainedMark < minBytesPerWindow) {
      counters.increment(LimitCounters.Reason.SLOW_READ);
      log.info(
          "{}: the client reads the response slower than the minimum rate; connection closed",
          ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    if (pending > 0) {
      drainedMark = drained;
      pendingAtMark = true;
      check = ctx.executor().schedule(this, windowNanos, TimeUnit.NANOSECONDS);
    }
  }

  private long pending() {
    ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
    return out == null ? 0 : out.totalPendingWriteBytes();
  }

  private long drained() {
    return written - pending();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
    ctx.fireChannelInactive();
  }
}
