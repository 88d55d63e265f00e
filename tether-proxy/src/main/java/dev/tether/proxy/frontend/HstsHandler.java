package dev.tether.proxy.frontend;

import dev.tether.proxy.tls.ServerTls;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;

/**
 * Adds {@code Strict-Transport-Security} to every final response on a TLS listener that configures
 * it.
 */
@ChannelHandler.Sharable
final class HstsHandler extends ChannelOutboundHandlerAdapter {

  static final String NAME = "hsts";
  private static final AsciiString HEADER = AsciiString.cached("strict-transport-security");

  private final ServerTls tls;

  HstsHandler(ServerTls tls) {
    this.tls = tls;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse r) {
      addTo(r, tls);
    }
    ctx.write(msg, promise);
  }

  /** Adds the header {@code tls} configures (if any) to {@code r} if it is a final response. */
  static void addTo(HttpResponse r, ServerTls tls) {
    if (r.status().code() >= 200) {
      String value = tls.hstsHeader();
      if (value != null && !r.headers().contains(HEADER)) {
        r.headers().set(HEADER, value);
      }
    }
  }
}
