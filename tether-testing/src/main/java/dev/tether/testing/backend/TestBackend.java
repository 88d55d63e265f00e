package dev.tether.testing.backend;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 server on a loopback port chosen by the kernel, for integration tests. It names
 * itself in {@code X-Server} and answers by path:
 *
 * <ul>
 *   <li>{@code /echo}: streams the request body back as it arrives (chunked), with back-pressure;
 *   <li>{@code /bytes?n=N}: streams N bytes of {@code 'x'} with a Content-Length, with
 *       back-pressure;
 *   <li>{@code /slow?ms=N}: answers after N milliseconds (scheduled, not sleeping);
 *   <li>{@code /status?code=N}: answers with that status;
 *   <li>{@code /headers}: the request headers as text, one per line;
 *   <li>{@code /set-header?name=N&value=V}: answers with the response header {@code N: V};
 *   <li>{@code /drop}: closes the connection without answering;
 *   <li>{@code /ws}: a WebSocket echo that prefixes each text frame with the server name;
 *   <li>{@code /login?id=ID}: sets the application session cookie {@code JSESSIONID=ID};
 *   <li>{@code /health}: {@code 200} while {@link #healthy(boolean) healthy} (the default), else
 *       {@code 503}, with the headers of {@link #healthHeader};
 *   <li>anything else: {@code hello from NAME}.
 * </ul>
 *
 * <p>It counts accepted connections and requests, and records each request head, so tests can
 * assert keep-alive reuse and that nothing reached the backend.
 *
 * <pre>{@code
 * try (TestBackend s1 = TestBackend.start("s1")) {
 *   int port = s1.port();
 * }
 * }</pre>
 */
public final class TestBackend implements AutoCloseable {

  /** One received request head. */
  public record Received(String method, String uri, Map<String, String> headers) {}

  private final String name;
  private final EventLoopGroup group;
  private final Channel server;
  private static final byte[] X = "x".repeat(16384).getBytes(StandardCharsets.US_ASCII);

  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong bodyBytes = new AtomicLong();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile boolean healthy = true;
  private final Map<String, String> healthHeaders = new java.util.concurrent.ConcurrentHashMap<>();

  private TestBackend(String name, Duration idleClose) throws InterruptedException {
    this.name = name;
    this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.incrementAndGet();
                    openConnections.incrementAndGet();
                    children.add(ch);
                    ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
                    if (idleClose != null) {
                      ch.pipeline()
                          .addLast(
                              new IdleStateHandler(
                                  0, 0, idleClose.toMillis(), TimeUnit.MILLISECONDS));
                    }
                    ch.pipeline().addLast("codec", new HttpServerCodec());
                    ch.pipeline()
                        .addLast(
                            "continue",
                            new io.netty.handler.codec.http.HttpServerExpectContinueHandler());
                    ch.pipeline().addLast("app", new AppHandler());
                  }
                });
    this.server = b.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  /** Starts a backend called {@code name} on an ephemeral loopback port. */
  public static TestBackend start(String name) {
    return start(name, null);
  }

  /**
   * Starts a backend that closes connections idle for {@code idleClose} (as servers with a short
   * keep-alive timeout do).
   */
  public static TestBackend start(String name, Duration idleClose) {
    try {
      return new TestBackend(name, idleClose);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting backend " + name, e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public String address() {
    return "127.0.0.1:" + port();
  }

  /**
   * Sends {@code n} GETs of {@code uri} (each expected to answer 200) and counts which backend
   * served them, by the {@code X-Server} header.
   */
  public static Map<String, Integer> servedBy(HttpClient client, URI uri, int n)
      throws IOException, InterruptedException {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      java.net.http.HttpResponse<String> r =
          client.send(
              java.net.http.HttpRequest.newBuilder(uri).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "GET " + uri + " answered " + r.statusCode() + ": " + r.body());
      }
      counts.merge(r.headers().firstValue("X-Server").orElse("(none)"), 1, Integer::sum);
    }
    return counts;
  }

  /**
   * Adds response header {@code name: value} to every {@code /health} answer ({@code value} null:
   * no more).
   */
  public void healthHeader(String name, String value) {
    if (value == null) {
      healthHeaders.remove(name);
    } else {
      healthHeaders.put(name, value);
    }
  }

  /** Makes {@code /health} answer 200 ({@code true}) or 503 ({@code false}). */
  public void healthy(boolean healthy) {
    this.healthy = healthy;
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Connections open right now. */
  public int openConnections() {
    return openConnections.get();
  }

  /** Request heads received so far. */
  public long requests() {
    return requests.get();
  }

  /** Request body bytes received so far. */
  public long bodyBytes() {
    return bodyBytes.get();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final io.netty.channel.group.ChannelGroup children =
      new io.netty.channel.group.DefaultChannelGroup(
          io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

  /**
   * Stops the server and closes its connections; closing again does nothing (tests kill backends
   * early).
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.close().syncUninterruptibly();
    // Close accepted connections explicitly: a terminated event loop does not always close them,
    // and a connection left open would look like a hung server rather than a dead one.
    children.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class AppHandler extends SimpleChannelInboundHandler<HttpObject> {
    private String mode;
    private boolean keepAlive;

    AppHandler() {
      super(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest req) {
        requests.incrementAndGet();
        Map<String, String> hs = new java.util.LinkedHashMap<>();
        req.headers()
            .forEach(
                e ->
                    hs.merge(
                        e.getKey().toLowerCase(java.util.Locale.ROOT),
                        e.getValue(),
                        (a, b2) -> a + ", " + b2));
        received.add(new Received(req.method().name(), req.uri(), hs));
        keepAlive = HttpUtil.isKeepAlive(req);
        onRequest(ctx, req);
      }
      if (msg instanceof HttpContent c) {
        bodyBytes.addAndGet(c.content().readableBytes());
        if ("echo".equals(mode)) {
          boolean last = c instanceof LastHttpContent;
          ctx.write(
              last
                  ? new io.netty.handler.codec.http.DefaultLastHttpContent(c.content())
                  : new DefaultHttpContent(c.content()));
          if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
          }
          if (last) {
            ctx.flush();
            mode = null;
          }
        } else {
          c.release();
        }
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(true);
        if (pendingBytes > 0) {
          writeBytes(ctx);
        }
      }
    }

    private long pendingBytes;

    private void onRequest(ChannelHandlerContext ctx, HttpRequest req) {
      QueryStringDecoder q = new QueryStringDecoder(req.uri());
      String path = q.path();
      switch (path) {
        case "/echo" -> {
          mode = "echo";
          HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
          r.headers().set("X-Server", name);
          ctx.write(r);
        }
        case "/bytes" -> {
          long n = Long.parseLong(param(q, "n", "0"));
          HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          r.headers().set(HttpHeaderNames.CONTENT_LENGTH, n);
          r.headers().set("X-Server", name);
          ctx.write(r);
          pendingBytes = n;
          writeBytes(ctx);
        }
        case "/slow" -> {
          long ms = Long.parseLong(param(q, "ms", "1000"));
          ctx.executor()
              .schedule(
                  () -> respond(ctx, HttpResponseStatus.OK, "slow hello from " + name + "\n"),
                  ms,
                  TimeUnit.MILLISECONDS);
        }
        case "/status" ->
            respond(
                ctx,
                HttpResponseStatus.valueOf(Integer.parseInt(param(q, "code", "200"))),
                "status from " + name + "\n");
        case "/headers" -> {
          StringBuilder sb = new StringBuilder();
          req.headers()
              .forEach(
                  e ->
                      sb.append(e.getKey().toLowerCase(java.util.Locale.ROOT))
                          .append(": ")
                          .append(e.getValue())
                          .append('\n'));
          respond(ctx, HttpResponseStatus.OK, sb.toString());
        }
        case "/health" ->
            respond(
                ctx,
                healthy ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                (healthy ? "ok from " : "unhealthy ") + name + "\n",
                null,
                healthHeaders);
        case "/set-header" -> {
          // Answers with the response header name=value (e.g. to check what the balancer lets
          // through).
          byte[] bytes =
              ("set " + param(q, "name", "") + " on " + name + "\n")
                  .getBytes(StandardCharsets.UTF_8);
          FullHttpResponse r =
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(bytes));
          r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
          r.headers().set("X-Server", name);
          r.headers().add(param(q, "name", "X-Unnamed"), param(q, "value", ""));
          ctx.writeAndFlush(r);
        }
        case "/drop" -> ctx.close();
        case "/ws" -> upgradeToWebSocket(ctx, req);
        case "/login" ->
            respond(
                ctx,
                HttpResponseStatus.OK,
                "logged in on " + name + "\n",
                "JSESSIONID=" + param(q, "id", name + "-session") + "; Path=/; HttpOnly");
        default -> respond(ctx, HttpResponseStatus.OK, "hello from " + name + "\n");
      }
    }

    private void writeBytes(ChannelHandlerContext ctx) {
      while (pendingBytes > 0 && ctx.channel().isWritable()) {
        int n = (int) Math.min(X.length, pendingBytes);
        ByteBuf b = ctx.alloc().buffer(n).writeBytes(X, 0, n);
        pendingBytes -= n;
        ctx.writeAndFlush(
            pendingBytes == 0
                ? new io.netty.handler.codec.http.DefaultLastHttpContent(b)
                : new DefaultHttpContent(b));
      }
    }

    private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
      respond(ctx, status, body, null);
    }

    private void respond(
        ChannelHandlerContext ctx, HttpResponseStatus status, String body, String setCookie) {
      respond(ctx, status, body, setCookie, Map.of());
    }

    private void respond(
        ChannelHandlerContext ctx,
        HttpResponseStatus status,
        String body,
        String setCookie,
        Map<String, String> extra) {
      if (!ctx.channel().isActive()) {
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      FullHttpResponse r =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      r.headers().set("X-Server", name);
      if (setCookie != null) {
        r.headers().add(HttpHeaderNames.SET_COOKIE, setCookie);
      }
      extra.forEach((k, v) -> r.headers().set(k, v));
      if (!keepAlive) {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.writeAndFlush(r);
      }
    }

    private void upgradeToWebSocket(ChannelHandlerContext ctx, HttpRequest req) {
      mode = "ws";
      var full =
          new io.netty.handler.codec.http.DefaultFullHttpRequest(
              req.protocolVersion(),
              req.method(),
              req.uri(),
              Unpooled.EMPTY_BUFFER,
              req.headers(),
              io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
      var factory =
          new io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory(
              "ws://" + req.headers().get(HttpHeaderNames.HOST) + "/ws", null, false);
      var handshaker = factory.newHandshaker(full);
      if (handshaker == null) {
        io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory
            .sendUnsupportedVersionResponse(ctx.channel());
        return;
      }
      ctx.pipeline()
          .addLast(
              "ws-echo",
              new SimpleChannelInboundHandler<WebSocketFrame>() {
                @Override
                protected void channelRead0(ChannelHandlerContext c, WebSocketFrame frame) {
                  if (frame instanceof TextWebSocketFrame t) {
                    c.writeAndFlush(new TextWebSocketFrame(name + ": " + t.text()));
                  } else if (frame
                      instanceof io.netty.handler.codec.http.websocketx.CloseWebSocketFrame) {
                    c.writeAndFlush(
                            new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame())
                        .addListener(ChannelFutureListener.CLOSE);
                  }
                }
              });
      handshaker
          .handshake(ctx.channel(), full)
          .addListener(f -> ctx.pipeline().remove(AppHandler.this));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    private static String param(QueryStringDecoder q, String key, String dflt) {
      List<String> v = q.parameters().get(key);
      return v == null || v.isEmpty() ? dflt : v.get(0);
    }
  }
}
