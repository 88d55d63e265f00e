package dev.tether.proxy.tls;

import dev.tether.proxy.config.Limits;
import dev.tether.proxy.transport.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code redirect-http} listener: answers every cleartext request with a redirect to the same
 * host and path over https ({@code 301} for GET and HEAD, {@code 308} otherwise, so that a method
 * and body are kept), and nothing else. Hosts are checked before they go into {@code Location}.
 */
public final class HttpsRedirect extends SimpleChannelInboundHandler<HttpObject> {

  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

  private final int httpsPort;

  HttpsRedirect(int httpsPort) {
    this.httpsPort = httpsPort;
  }

  /** Binds the redirect listener at {@code address}, pointing at https port {@code httpsPort}. */
  public static Channel bind(
      EventLoopGroup group,
      NettyTransport transport,
      InetSocketAddress address,
      int httpsPort,
      Limits limits) {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new ReadTimeoutHandler(30));
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(
                                limits.maxRequestLine(),
                                limits.maxHeaderSize(),
                                limits.maxChunk()));
                    ch.pipeline().addLast(new HttpsRedirect(httpsPort));
                  }
                });
    try {
      return b.bind(address).sync().channel();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "cannot listen on " + address + " (redirect-http): " + e.getMessage(), e);
    }
  }

  /**
   * The https URL for {@code host} (a Host header, may carry a port) and {@code uri}, or {@code
   * null} when the host is bad.
   */
  static String location(String host, String uri, int httpsPort) {
    if (host == null) {
      return null;
    }
    String name = host;
    int colon = host.lastIndexOf(':');
    if (colon > 0 && host.indexOf(']') < colon) {
      name = host.substring(0, colon);
    }
    if (!HOST.matcher(name).matches()) {
      return null;
    }
    String path = uri.startsWith("/") ? uri : "/";
    return "https://"
        + name.toLowerCase(Locale.ROOT)
        + (httpsPort == 443 ? "" : ":" + httpsPort)
        + path;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (!(msg instanceof HttpRequest req)) {
      return; // body bytes: released by the superclass
    }
    String location =
        req.decoderResult().isSuccess()
            ? location(req.headers().get(HttpHeaderNames.HOST), req.uri(), httpsPort)
            : null;
    FullHttpResponse r;
    if (location == null) {
      r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, Unpooled.EMPTY_BUFFER);
    } else {
      boolean safe = req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD);
      r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              safe ? HttpResponseStatus.MOVED_PERMANENTLY : HttpResponseStatus.PERMANENT_REDIRECT,
              Unpooled.EMPTY_BUFFER);
      r.headers().set(HttpHeaderNames.LOCATION, location);
    }
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    boolean close = location == null || !HttpUtil.isKeepAlive(req);
    if (close) {
      r.headers().set(HttpHeaderNames.CONNECTION, "close");
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(r);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
