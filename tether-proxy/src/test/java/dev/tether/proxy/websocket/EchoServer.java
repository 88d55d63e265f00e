package dev.tether.proxy.websocket;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket server for tests on {@code /ws}: answers each text message with {@code "<name>:
 * <text>"}, records every handshake's headers and every message it received, and can be killed
 * (listener and connections closed at once, as a crashed process's would be).
 */
final class EchoServer implements AutoCloseable {

  final String name;
  final List<HttpHeaders> handshakes = new CopyOnWriteArrayList<>();
  final List<String> received = new CopyOnWriteArrayList<>();

  /** When not 0, every handshake is answered with this status instead of 101. */
  volatile int refuseWith;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Channel server;

  private EchoServer(String name, int port) {
    this.name = name;
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    children.add(ch);
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(),
                            new HttpObjectAggregator(65536),
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof FullHttpRequest r) {
                                  handshakes.add(r.headers().copy());
                                  int status = refuseWith;
                                  if (status != 0) {
                                    r.release();
                                    FullHttpResponse no =
                                        new DefaultFullHttpResponse(
                                            HttpVersion.HTTP_1_1,
                                            HttpResponseStatus.valueOf(status));
                                    no.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                                    ctx.writeAndFlush(no);
                                    return;
                                  }
                                }
                                ctx.fireChannelRead(msg);
                              }
                            },
                            new WebSocketServerProtocolHandler(
                                // killed, not stopped: no close frame of its own on the way out
                                WebSocketServerProtocolConfig.newBuilder()
                                    .websocketPath("/ws")
                                    .sendCloseFrame(null)
                                    .build()),
                            new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                              @Override
                              protected void channelRead0(
                                  ChannelHandlerContext ctx, TextWebSocketFrame t) {
                                received.add(t.text());
                                ctx.writeAndFlush(new TextWebSocketFrame(name + ": " + t.text()));
                              }
                            });
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", port))
            .syncUninterruptibly()
            .channel();
  }

  /** A server named {@code name} on {@code port} (0: any free port). */
  static EchoServer start(String name, int port) {
    return new EchoServer(name, port);
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Closes the listener and every connection now; again does nothing. */
  @Override
  public void close() {
    if (server.isOpen()) {
      server.close().syncUninterruptibly();
      children.close().syncUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
