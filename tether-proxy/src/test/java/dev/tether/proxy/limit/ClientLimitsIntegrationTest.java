package dev.tether.proxy.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.proxy.ProxySettings;
import dev.tether.proxy.TetherProxy;
import dev.tether.proxy.TrustedProxies;
import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.config.ClientLimits;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.config.Timeouts;
import dev.tether.proxy.config.Transport;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.route.Upstream;
import dev.tether.testing.backend.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each client limit against real sockets: a proxy on port 0 in front of a real backend. */
class ClientLimitsIntegrationTest {

  private final List<Socket> sockets = new ArrayList<>();
  private TestBackend backend;
  private TetherProxy proxy;

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (proxy != null) {
      proxy.stop(Duration.ZERO);
    }
    if (backend != null) {
      backend.close();
    }
  }

  private void start(ClientLimits clients) {
    backend = TestBackend.start("s1");
    Pool pool =
        new Pool(
            "web",
            List.of(new Server("s1", "127.0.0.1", backend.port(), 1)),
            Balancers.find("round-robin").orElseThrow(),
            Map.of(),
            BalanceEnv.SYSTEM);
    Upstream up =
        new Upstream(
            pool,
            Map.of("s1", new InetSocketAddress("127.0.0.1", backend.port())),
            ConnectionsConfig.DEFAULTS,
            null,
            true);
    Router router = new Router(List.of(new Route(null, "/", "web")), Map.of("web", up));
    Limits limits = new Limits(1024, 2048, 20, 8192, clients);
    proxy =
        TetherProxy.start(
            new ProxySettings(
                new ProxySettings.Listen("127.0.0.1", 0, 1, Transport.AUTO),
                Timeouts.DEFAULTS,
                limits,
                TrustedProxies.NONE,
                AccessLog.DEFAULTS),
            router);
  }

  private LimitCounters counters() {
    return proxy.runtime().guard().counters();
  }

  private Socket connect(String from) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 2000);
    s.setSoTimeout(10_000);
    sockets.add(s);
    return s;
  }

  /** Whether the proxy closed {@code s}: a read sees the end of the stream or a reset. */
  private static boolean closedByPeer(Socket s) {
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String get(Socket s, String path) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  /**
   * Opens {@code n} connections back to back (the kernel completes them before Tether accepts),
   * then counts those refused.
   */
  private int refusedOf(int n, String from) throws IOException {
    List<Socket> opened = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      opened.add(connect(from));
    }
    await()
        .until(
            () ->
                proxy.runtime().guard().openConnections()
                        + counters().count(LimitCounters.Reason.ACCEPT_RATE)
                        + counters().count(LimitCounters.Reason.ACCEPT_RATE_PER_CLIENT)
                    == n);
    int refused = 0;
    for (Socket s : opened) {
      s.setSoTimeout(200);
      if (closedByPeer(s)) {
        refused++;
      }
    }
    return refused;
  }

  private static ClientLimits limits(int max, int perClient, int rate, int ratePerClient) {
    return new ClientLimits(max, perClient, rate, ratePerClient, 0, 0, Duration.ofSeconds(30));
  }

  @Test
  void aConnectionOverTheGlobalLimitIsClosedAtOnceAndCounted() throws Exception {
    start(limits(2, 0, 0, 0));
    Socket a = connect("127.0.0.1");
    Socket b = connect("127.0.0.1");
    await().until(() -> proxy.runtime().guard().openConnections() == 2);
    Socket c = connect("127.0.0.1");
    assertThat(closedByPeer(c)).isTrue();
    assertThat(counters().count(LimitCounters.Reason.CONNECTIONS)).isEqualTo(1);
    a.close();
    await().until(() -> proxy.runtime().guard().openConnections() == 1);
    assertThat(get(connect("127.0.0.1"), "/")).startsWith("HTTP/1.1 200").contains("hello from s1");
    assertThat(b.isClosed()).isFalse();
  }

  @Test
  void aClientOverItsOwnLimitIsRefusedWhileAnotherClientIsServed() throws Exception {
    start(limits(0, 2, 0, 0));
    connect("127.0.0.1");
    connect("127.0.0.1");
    await().until(() -> proxy.runtime().guard().openConnections() == 2);
    assertThat(closedByPeer(connect("127.0.0.1"))).isTrue();
    assertThat(counters().count(LimitCounters.Reason.CONNECTIONS_PER_CLIENT)).isEqualTo(1);
    assertThat(get(connect("127.0.0.2"), "/"))
        .startsWith("HTTP/1.1 200"); // another loopback address
  }

  @Test
  void connectionsOverTheAcceptRateAreRefusedAndCounted() throws Exception {
    start(limits(0, 0, 5, 0));
    int refused = refusedOf(30, "127.0.0.1");
    // 30 connections in well under the 5 s in which 5/s with a burst of 5 would admit them all
    assertThat(refused).isGreaterThan(0);
    assertThat(counters().count(LimitCounters.Reason.ACCEPT_RATE)).isEqualTo(refused);
  }

  @Test
  void aClientOverItsAcceptRateIsRefusedWhileAnotherIsServed() throws Exception {
    start(limits(0, 0, 0, 3));
    int refused = refusedOf(20, "127.0.0.1");
    assertThat(refused).isGreaterThan(0);
    assertThat(counters().count(LimitCounters.Reason.ACCEPT_RATE_PER_CLIENT)).isEqualTo(refused);
    assertThat(get(connect("127.0.0.3"), "/")).startsWith("HTTP/1.1 200");
  }

  @Test
  void aSlowUploadIsCutAndItsBackendConnectionReleased() throws Exception {
    start(new ClientLimits(0, 0, 0, 0, 1024, 0, Duration.ofSeconds(1)));
    Socket s = connect("127.0.0.1");
    OutputStream out = s.getOutputStream();
    out.write(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n0123456789"
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    await()
        .until(
            () -> backend.bodyBytes() == 10); // the head and the first bytes went on to the backend
    long start = System.nanoTime();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    s.setSoTimeout(100);
    boolean closed = false;
    while (!closed) {
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      try {
        out.write(
            'x'); // then at least 100 ms of reading the echo until the read times out: < 10 B/s,
        // far below 1 KiB/s
        out.flush();
        while (in.read(buf) != -1) {
          // the echoed byte
        }
        closed = true;
      } catch (java.net.SocketTimeoutException e) {
        // nothing more for 100 ms: send the next byte
      } catch (SocketException e) {
        closed = true;
      }
    }
    assertThat(counters().count(LimitCounters.Reason.SLOW_BODY)).isEqualTo(1);
    await().until(() -> backend.openConnections() == 0);
  }

  @Test
  void aClientThatDoesNotReadIsCutAndItsBackendConnectionReleased() throws Exception {
    start(new ClientLimits(0, 0, 0, 0, 0, 4096, Duration.ofSeconds(1)));
    Socket s = new Socket();
    s.setReceiveBufferSize(4096); // a small window, as slowhttptest's slow read sets
    sockets.add(s);
    s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 2000);
    s.getOutputStream()
        .write(
            "GET /bytes?n=200000000 HTTP/1.1\r\nHost: t\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    await().until(() -> backend.openConnections() == 1);
    // reads nothing: the proxy's buffer fills, the connection stays unwritable for a window
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> counters().count(LimitCounters.Reason.SLOW_READ) == 1);
    await().until(() -> backend.openConnections() == 0);
    s.setSoTimeout(5000);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[1 << 16];
    long got = 0;
    try {
      for (int n; (n = in.read(buf)) != -1; ) {
        got += n;
      }
    } catch (SocketException e) {
      // reset: also closed
    }
    assertThat(got).isLessThan(200_000_000L);
  }

  /** The defaults (slow clients checked, which does the shared checks too) and no rate checks. */
  static List<ClientLimits> rateSettings() {
    return List.of(ClientLimits.DEFAULTS, new ClientLimits(0, 0, 0, 0, 0, 0, Duration.ZERO));
  }

  @ParameterizedTest
  @MethodSource("rateSettings")
  void requestsOverTheParsingLimitsAreCountedByLimit(ClientLimits limits) throws Exception {
    start(limits);
    assertThat(get(connect("127.0.0.1"), "/" + "a".repeat(2000))).startsWith("HTTP/1.1 414");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    Socket s = connect("127.0.0.1");
    s.getOutputStream()
        .write(
            ("GET / HTTP/1.1\r\nHost: t\r\n" + many + "\r\n").getBytes(StandardCharsets.US_ASCII));
    assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
        .startsWith("HTTP/1.1 431");
    Socket big = connect("127.0.0.1");
    big.getOutputStream()
        .write(
            ("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(3000) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    assertThat(new String(big.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
        .startsWith("HTTP/1.1 431");
    assertThat(counters().count(LimitCounters.Reason.REQUEST_LINE)).isEqualTo(1);
    assertThat(counters().count(LimitCounters.Reason.HEADER_COUNT)).isEqualTo(1);
    assertThat(counters().count(LimitCounters.Reason.HEADER_SIZE)).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("rateSettings")
  void responsesCarryNoHeaderThatNamesTheBackendsSoftwareOrVersion(ClientLimits limits)
      throws Exception {
    start(limits);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (String name : List.of("Server", "X-Powered-By")) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + proxy.port()
                              + "/set-header?name="
                              + name
                              + "&value=Jetty(12.1.14)"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue(name)).as(name).isEmpty();
    }
    // and the balancer's own answers name nothing either
    String notFound = get(connect("127.0.0.1"), "/" + "a".repeat(2000));
    assertThat(notFound.toLowerCase(java.util.Locale.ROOT))
        .doesNotContain("\r\nserver:")
        .doesNotContain("netty");
  }

  @Test
  void perClientLimitsDoNotApplyToATrustedProxy() throws Exception {
    backend = TestBackend.start("s1");
    Pool pool =
        new Pool(
            "web",
            List.of(new Server("s1", "127.0.0.1", backend.port(), 1)),
            Balancers.find("round-robin").orElseThrow(),
            Map.of(),
            BalanceEnv.SYSTEM);
    Upstream up =
        new Upstream(
            pool,
            Map.of("s1", new InetSocketAddress("127.0.0.1", backend.port())),
            ConnectionsConfig.DEFAULTS,
            null,
            true);
    Router router = new Router(List.of(new Route(null, "/", "web")), Map.of("web", up));
    TrustedProxies trusted =
        new TrustedProxies(List.of(a -> a.equals(InetAddress.getLoopbackAddress())));
    proxy =
        TetherProxy.start(
            new ProxySettings(
                new ProxySettings.Listen("127.0.0.1", 0, 1, Transport.AUTO),
                Timeouts.DEFAULTS,
                new Limits(8192, 16384, 100, 8192, limits(0, 1, 0, 0)),
                trusted,
                AccessLog.DEFAULTS),
            router);
    connect("127.0.0.1");
    connect("127.0.0.1");
    assertThat(get(connect("127.0.0.1"), "/")).startsWith("HTTP/1.1 200");
    assertThat(counters().count(LimitCounters.Reason.CONNECTIONS_PER_CLIENT)).isZero();
  }
}
