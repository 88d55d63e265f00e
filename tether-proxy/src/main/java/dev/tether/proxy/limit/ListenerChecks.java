package dev.tether.proxy.limit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * The listener's stateless checks of every client connection in one shared handler, so they take
 * one pipeline slot per connection instead of one each: framing violations of a size limit are
 * counted ({@link FramingLimitCounter}) on their way to the frontend, and response heads lose the
 * headers that name the backend's software ({@link VersionHeaderFilter}). After the framing gate.
 */
@ChannelHandler.Sharable
final class ListenerChecks extends ChannelDuplexHandler {

  private final FramingLimitCounter counter;

  ListenerChecks(FramingLimitCounter counter) {
    this.counter = counter;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    counter.count(evt);
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    VersionHeaderFilter.hide(msg);
    ctx.write(msg, promise);
  }
}
