package dev.tether.proxy.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.leak.LeakDetection;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code connections.send-proxy} against servers that require the PROXY protocol (Netty's decoder
 * in front of HTTP, as nginx's {@code listen ... proxy_protocol}): each backend connection starts
 * with the header naming its client, is kept for that client only, and health checks send one that
 * names no client.
 */
@ExtendWith(LeakDetection.class)
class SendProxyIntegrationTest {

  private ProxyServer v1;
  private ProxyServer v2;
  private ControlPlane tether;

  @BeforeEach
  void start() throws Exception {
    v1 = new ProxyServer("v1");
    v2 = new ProxyServer("v2");
    tether =
        ControlPlane.start(
            ConfigLoader.parse(
                """
        listen: 127.0.0.1:0
        workers: 1
        pools:
          one:
            connections: { send-proxy: v1 }
            health: { path: /health, interval: 200ms, timeout: 200ms, rise: 1, fall: 1 }
            servers: [ { name: p1, address: 127.0.0.1:%d } ]
          two:
            connections: { send-proxy: v2 }
            servers: [ { name: p2, address: 127.0.0.1:%d } ]
        routes:
          - { path-prefix: /one, pool: one }
          - { path-prefix: /two, pool: two }
        """
                    .formatted(v1.port(), v2.port()),
                "send-proxy.yaml"));
  }

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    v1.close();
    v2.close();
  }

  /**
   * Sends {@code requests} GETs of {@code path} on one keep-alive connection, returning the bodies.
   */
  private List<String> onOneConnection(String path, int requests, byte[] preamble, String bindTo)
      throws Exception {
    List<String> bodies = new java.util.ArrayList<>();
    try (Socket s = new Socket()) {
      if (bindTo != null) {
        s.bind(new InetSocketAddress(bindTo, 0));
      }
      s.connect(new InetSocketAddress("127.0.0.1", tether.proxy().port()));
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      if (preamble != null) {
        out.write(preamble);
      }
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      for (int i = 0; i < requests; i++) {
        out.write(
            ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = in.readLine();
        assertThat(status).isEqualTo("HTTP/1.1 200 OK");
        int length = 0;
        String conn = "";
        for (String h; !(h = in.readLine()).isEmpty(); ) {
          if (h.toLowerCase().startsWith("content-length:")) {
            length = Integer.parseInt(h.substring(15).trim());
          } else if (h.toLowerCase().startsWith("x-connection:")) {
            conn = h.substring(13).trim();
          }
        }
        char[] body = new char[length];
        for (int n = 0; n < length; ) {
          n += in.read(body, n, length - n);
        }
        bodies.add(
            bindTo == null && preamble == null && path.endsWith("/c") ? conn : new String(body));
      }
      return bodies;
    }
  }

  @Test
  void eachBackendConnectionNamesItsClientInV1AndV2() throws Exception {
    int tetherPort = tether.proxy().port();
    List<String> one = onOneConnection("/one/a", 1, null, null);
    List<String> two = onOneConnection("/two/a", 1, null, null);

    assertThat(one.getFirst())
        .matches(
            "p=v1 PROXY TCP4 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:"
                + tetherPort
                + " GET /one/a\n");
    assertThat(two.getFirst())
        .matches(
            "p=v2 PROXY TCP4 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:"
                + tetherPort
                + " GET /two/a\n");
  }

  @Test
  void aClientBehindATrustedProxyIsNamedAsThatProxySaid() throws Exception {
    tether.stop(Duration.ofSeconds(2));
    tether =
        ControlPlane.start(
            ConfigLoader.parse(
                """
        listen: 127.0.0.1:0
        workers: 1
        proxy-protocol: true
        trusted-proxies: [127.0.0.2/32]
        pools:
          two:
            connections: { send-proxy: v2 }
            servers: [ { name: p2, address: 127.0.0.1:%d } ]
        """
                    .formatted(v2.port()),
                "behind-a-proxy.yaml"));
    byte[] header =
        "PROXY TCP4 203.0.113.7 198.51.100.9 4444 443\r\n".getBytes(StandardCharsets.US_ASCII);
    List<String> bodies = onOneConnection("/two/x", 1, header, "127.0.0.2");

    assertThat(bodies.getFirst())
        .isEqualTo("p=v2 PROXY TCP4 203.0.113.7:4444 -> 198.51.100.9:443 GET /two/x\n");
  }

  @Test
  void aConnectionCarryingOneClientsHeaderIsNeverLentToAnother() throws Exception {
    List<String> first =
        onOneConnection("/two/c", 3, null, null); // the backend connection of each answer
    List<String> second = onOneConnection("/two/c", 3, null, null);

    // one backend connection per client connection, reused by that client's later requests
    assertThat(first).doesNotContain("").containsOnly(first.getFirst());
    assertThat(second).containsOnly(second.getFirst());
    assertThat(first.getFirst()).isNotEqualTo(second.getFirst());
    assertThat(v2.headers()).hasSize(2);
    // and it is closed with its client
    await().atMost(Duration.ofSeconds(10)).until(() -> v2.open() == 0);
  }

  @Test
  void healthChecksSendAHeaderThatNamesNoClient() throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> v1.healthHeaders().contains("UNKNOWN (health)"));
    await().atMost(Duration.ofSeconds(10)).until(() -> tether.healthChecker("one").healthy("p1"));
  }

  /** An HTTP server that requires a PROXY header first and answers with what it said. */
  static final class ProxyServer implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final List<String> headers = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger open =
        new java.util.concurrent.atomic.AtomicInteger();

    ProxyServer(String name) throws InterruptedException {
      this.name = name;
      server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      open.incrementAndGet();
                      ch.closeFuture().addListener(f -> open.decrementAndGet());
                      ch.pipeline()
                          .addLast(
                              new HAProxyMessageDecoder(),
                              new Header(),
                              new HttpServerCodec(),
                              new HttpObjectAggregator(1 << 16),
                              new Answer());
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
    }

    int port() {
      return ((InetSocketAddress) server.localAddress()).getPort();
    }

    List<String> headers() {
      return headers.stream().filter(h -> !h.endsWith("(health)")).toList();
    }

    /** The headers of connections that named no client: health checks'. */
    List<String> healthHeaders() {
      return headers.stream().filter(h -> h.endsWith("(health)")).toList();
    }

    int open() {
      return open.get();
    }

    @Override
    public void close() {
      server.close().syncUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Header extends ChannelInboundHandlerAdapter {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HAProxyMessage m) {
          String said =
              m.command() == HAProxyCommand.LOCAL
                  ? "LOCAL"
                  : m.proxiedProtocol().name().equals("UNKNOWN")
                      ? "UNKNOWN"
                      : "PROXY "
                          + m.proxiedProtocol()
                          + " "
                          + m.sourceAddress()
                          + ":"
                          + m.sourcePort()
                          + " -> "
                          + m.destinationAddress()
                          + ":"
                          + m.destinationPort();
          headers.add(said.startsWith("PROXY") ? said : said + " (health)");
          ctx.channel().attr(SAID).set(said + " " + ctx.channel().id().asShortText());
          m.release();
          ctx.pipeline().remove(this);
          return;
        }
        ReferenceCountUtil.release(msg);
        ctx.close(); // the header must come first
      }
    }

    private static final io.netty.util.AttributeKey<String> SAID =
        io.netty.util.AttributeKey.valueOf("said");

    private final class Answer
        extends io.netty.channel.SimpleChannelInboundHandler<FullHttpRequest> {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String said = ctx.channel().attr(SAID).get();
        String[] parts = said.split(" ");
        String conn = parts[parts.length - 1];
        String text = said.substring(0, said.length() - conn.length() - 1);
        byte[] body =
            ("p=" + name + " " + text + " " + req.method() + " " + req.uri() + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        var r =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length).set("X-Connection", conn);
        ctx.writeAndFlush(r);
      }
    }
  }
}
