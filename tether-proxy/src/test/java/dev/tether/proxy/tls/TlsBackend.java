package dev.tether.proxy.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTPS backend on 127.0.0.1 port 0 serving {@code certificate}: it answers every request with
 * its name, the TLS protocol and the SNI name the client sent, and counts finished handshakes.
 */
final class TlsBackend implements AutoCloseable {

  private final String name;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger handshakes = new AtomicInteger();

  TlsBackend(String name, TestCertificates.Files2 certificate) throws Exception {
    this.name = name;
    SslContext ssl =
        SslContextBuilder.forServer(certificate.cert().toFile(), certificate.key().toFile())
            .sslProvider(io.netty.handler.ssl.SslProvider.JDK)
            .build();
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    SslHandler tls = ssl.newHandler(ch.alloc());
                    tls.handshakeFuture()
                        .addListener(
                            f -> {
                              if (f.isSuccess()) {
                                handshakes.incrementAndGet();
                              }
                            });
                    ch.pipeline()
                        .addLast(
                            tls,
                            new HttpServerCodec(),
                            new HttpObjectAggregator(1 << 16),
                            new Answer(tls));
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  int handshakes() {
    return handshakes.get();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final SslHandler tls;

    Answer(SslHandler tls) {
      this.tls = tls;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      javax.net.ssl.SSLSession s = tls.engine().getSession();
      String sni = "";
      if (s instanceof javax.net.ssl.ExtendedSSLSession e) {
        sni =
            e.getRequestedServerNames().stream()
                .map(n -> new String(n.getEncoded(), StandardCharsets.US_ASCII))
                .findFirst()
                .orElse("");
      }
      byte[] body =
          ("hello from " + name + " over " + s.getProtocol() + " sni=" + sni + "\n")
              .getBytes(StandardCharsets.UTF_8);
      var r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
      r.headers()
          .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      ctx.writeAndFlush(r);
    }
  }
}
