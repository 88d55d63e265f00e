package dev.tether.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits in front of Netty's request decoder and lets a received buffer through only after the {@link
 * RequestScanner} has checked every byte of it. At the first violation the buffer is released, the
 * {@link FramingViolation} is fired as a user event (the {@link FramingGate} answers it), and every
 * later buffer on the connection is released unread.
 *
 * <p>Because a whole read is checked before any of it moves on, a bad request that arrives in one
 * read reaches nothing downstream, not even a request before it in the same read.
 */
final class RequestFramingGuard extends ChannelInboundHandlerAdapter {

  private final RequestScanner scanner;
  private boolean rejected;

  RequestFramingGuard(FramingLimits limits) {
    this.scanner = new RequestScanner(limits);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (rejected) {
      buf.release();
      return;
    }
    FramingViolation violation = null;
    boolean checked = false;
    try {
      scanner.scan(buf);
      checked = true;
    } catch (FramingException e) {
      violation = e.violation();
    } finally {
      if (!checked) {
        rejected = true; // also on an unexpected runtime exception: the scanner state is unknown
        buf.release();
      }
    }
    if (violation != null) {
      ctx.fireUserEventTriggered(violation);
      return;
    }
    ctx.fireChannelRead(buf);
  }
}
