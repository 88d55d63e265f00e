package dev.tether.proxy.limit;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the listening socket's pipeline, in front of Netty's acceptor: every accepted connection is
 * admitted by the {@link ConnectionLimiter} before it is registered with an event loop or gets a
 * pipeline. A refused one is closed at once (nothing is read from it or written to it) and counted;
 * an admitted one is released when it closes.
 */
@ChannelHandler.Sharable
final class AcceptLimitHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(AcceptLimitHandler.class);

  private final ConnectionLimiter limiter;

  AcceptLimitHandler(ConnectionLimiter limiter) {
    this.limiter = requireNonNull(limiter, "limiter");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Channel child)) {
      ctx.fireChannelRead(msg);
      return;
    }
    InetAddress address =
        child.remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
    LimitCounters.Reason refused = limiter.admit(address);
    if (refused != null) {
      log.debug("refused a connection from {}: {}", address, refused.tag());
      child.unsafe().closeForcibly();
      return;
    }
    child.closeFuture().addListener(f -> limiter.release(address));
    ctx.fireChannelRead(child);
  }
}
