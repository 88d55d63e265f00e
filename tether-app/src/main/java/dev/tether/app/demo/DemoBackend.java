package dev.tether.app.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny application instance for {@code tether demo}: it answers every path with its name and
 * how many requests it has served, so a newcomer sees the balancing at once.
 */
public final class DemoBackend implements AutoCloseable {

  private final String name;
  private final Channel channel;
  private final AtomicLong served = new AtomicLong();

  public DemoBackend(String name, String host, int port, EventLoopGroup group) {
    this.name = name;
    ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
          }
        });
    this.channel = b.bind(new InetSocketAddress(host, port)).syncUninterruptibly().channel();
  }

  public String name() {
    return name;
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String body = req.uri().startsWith("/healthz") ? "ok\n"
          : "hello from " + name + " (request #" + served.incrementAndGet() + " on this instance)\n";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      FullHttpResponse r = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.OK, Unpooled.wrappedBuffer(bytes));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      r.headers().set("X-Server", name);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (keepAlive) {
        ctx.writeAndFlush(r);
      } else {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
