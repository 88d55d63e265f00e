package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.config.RetriesConfig;
import dev.tether.proxy.config.Timeouts;
import dev.tether.proxy.config.Transport;
import dev.tether.proxy.retry.Retries;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.route.Upstream;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retries on real sockets: a request a server may have seen goes to another server only when its
 * method is idempotent, its body is still at hand, and the pool's budget allows it; a POST is never
 * sent twice.
 */
@ExtendWith(LeakDetection.class)
class RetryIntegrationTest {

  private static final RetriesConfig ON_503 = new RetriesConfig(1, Set.of(503), 64 * 1024, 0.2, 10);

  @Test
  void aServerKilledUnderSteadyGetLoadFailsNoRequest() throws Exception {
    List<TestBackend> backends =
        List.of(TestBackend.start("s1"), TestBackend.start("s2"), TestBackend.start("s3"));
    try (Balancer b = new Balancer(backends, List.of(), RetriesConfig.DEFAULTS)) {
      Load load =
          Load.start(
              b, 6, i -> HttpRequest.newBuilder(b.uri(i % 2 == 0 ? "/slow?ms=20" : "/")).build());
      TestBackend s2 = backends.get(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> s2.requests() >= 100);
      long othersAtKill = backends.get(0).requests() + backends.get(2).requests();
      s2.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> backends.get(0).requests() + backends.get(2).requests() >= othersAtKill + 600);
      load.stop();
      assertThat(load.ok.get()).isGreaterThan(700);
      assertThat(load.failures).as("requests that failed after s2 was killed").isEmpty();
    }
  }

  @Test
  void aPostIsSentAtMostOnceWhenItsServerIsKilledAndAFailedOneIsAnswered502() throws Exception {
    List<TestBackend> backends =
        List.of(TestBackend.start("s1"), TestBackend.start("s2"), TestBackend.start("s3"));
    try (Balancer b = new Balancer(backends, List.of(), RetriesConfig.DEFAULTS)) {
      AtomicLong ids = new AtomicLong();
      Map<String, Integer> statusById = new ConcurrentHashMap<>();
      Load load =
          Load.start(
              b,
              6,
              i -> {
                String id = "p" + ids.incrementAndGet();
                return HttpRequest.newBuilder(b.uri("/slow?ms=20"))
                    .header("X-Id", id)
                    .POST(HttpRequest.BodyPublishers.ofString("order " + id))
                    .build();
              },
              (req, status) ->
                  statusById.put(req.headers().firstValue("X-Id").orElseThrow(), status));
      TestBackend s2 = backends.get(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> s2.requests() >= 60);
      long othersAtKill = backends.get(0).requests() + backends.get(2).requests();
      s2.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> backends.get(0).requests() + backends.get(2).requests() >= othersAtKill + 300);
      load.stop();
      Map<String, Integer> seen = new HashMap<>();
      for (TestBackend backend : backends) {
        for (TestBackend.Received r : backend.received()) {
          seen.merge(r.headers().get("x-id"), 1, Integer::sum);
        }
      }
      assertThat(seen.values()).as("times each POST reached a backend").allMatch(n -> n == 1);
      statusById.forEach(
          (id, status) -> {
            assertThat(status).as("POST %s", id).isIn(200, 502);
            if (status == 200) {
              assertThat(seen).as("an answered POST reached a backend").containsKey(id);
            }
          });
      assertThat(load.failures)
          .as("only 502s for POSTs in flight on the killed server")
          .allMatch(f -> f.startsWith("502"));
    }
  }

  @Test
  void aPostTheServerDroppedIsAnswered502AndNotSentElsewhere() throws Exception {
    TestBackend s2 = TestBackend.start("s2");
    try (DroppingServer dropping = DroppingServer.start();
        Balancer b = new Balancer(List.of(s2), List.of(dropping.port()), ON_503)) {
      // round robin: the dropping server (listed second) gets every other request
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        statuses.add(
            b.client
                .send(
                    HttpRequest.newBuilder(b.uri("/slow?ms=1"))
                        .POST(HttpRequest.BodyPublishers.ofString("pay 10"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode());
      }
      assertThat(statuses).containsExactlyInAnyOrder(200, 200, 502, 502);
      assertThat(dropping.requests("POST")).isEqualTo(2);
      assertThat(s2.requests()).as("the dropped POSTs were not sent to s2").isEqualTo(2);
    }
  }

  @Test
  void anIdempotentRequestTheServerDroppedIsRetriedElsewhereWithItsBody() throws Exception {
    TestBackend s2 = TestBackend.start("s2");
    try (DroppingServer dropping = DroppingServer.start();
        Balancer b = new Balancer(List.of(s2), List.of(dropping.port()), ON_503)) {
      String body = "x".repeat(3000);
      for (int i = 0; i < 4; i++) {
        HttpResponse<String> r =
            b.client.send(
                HttpRequest.newBuilder(b.uri("/echo"))
                    .PUT(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(body);
      }
      assertThat(dropping.requests("PUT")).as("the dropping server saw some of them").isPositive();
      assertThat(s2.requests()).as("s2 answered all four").isEqualTo(4);
    }
  }

  @Test
  void aBodyLongerThanTheReplayBufferIsNotRetried() throws Exception {
    TestBackend s2 = TestBackend.start("s2");
    RetriesConfig small = new RetriesConfig(1, Set.of(), 1024, 0.2, 10);
    try (DroppingServer dropping = DroppingServer.start();
        Balancer b = new Balancer(List.of(s2), List.of(dropping.port()), small)) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        statuses.add(
            b.client
                .send(
                    HttpRequest.newBuilder(b.uri("/echo"))
                        .PUT(HttpRequest.BodyPublishers.ofString("y".repeat(4000)))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode());
      }
      assertThat(statuses).containsExactlyInAnyOrder(200, 502);
      assertThat(s2.requests()).isEqualTo(1);
    }
  }

  @Test
  void aSpentBudgetAnswersTheFailure() throws Exception {
    TestBackend s2 = TestBackend.start("s2");
    RetriesConfig none = new RetriesConfig(1, Set.of(), 64 * 1024, 0.0, 0);
    try (DroppingServer dropping = DroppingServer.start();
        Balancer b = new Balancer(List.of(s2), List.of(dropping.port()), none)) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        statuses.add(
            b.client
                .send(
                    HttpRequest.newBuilder(b.uri("/")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode());
      }
      assertThat(statuses).containsExactlyInAnyOrder(200, 502);
    }
  }

  @Test
  void aListedStatusIsRetriedElsewhereForIdempotentRequestsOnly() throws Exception {
    TestBackend s2 = TestBackend.start("s2");
    try (UnavailableServer unavailable = UnavailableServer.start();
        Balancer b = new Balancer(List.of(s2), List.of(unavailable.port()), ON_503)) {
      for (int i = 0; i < 4; i++) {
        HttpResponse<String> r =
            b.client.send(
                HttpRequest.newBuilder(b.uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %d", i).isEqualTo(200);
        assertThat(r.body()).contains("s2");
      }
      List<Integer> posts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        posts.add(
            b.client
                .send(
                    HttpRequest.newBuilder(b.uri("/slow?ms=1"))
                        .POST(HttpRequest.BodyPublishers.ofString("z"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode());
      }
      assertThat(posts).contains(200, 503);
      assertThat(posts.stream().filter(c -> c == 503).count())
          .as("each POST the 503 server got is answered 503")
          .isEqualTo(unavailable.posts.get());
      // the in-flight counts settle: the attempts on the 503 server were finished
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(b.pool.snapshot().members())
                      .allSatisfy(m -> assertThat(m.load().inFlight()).as(m.name()).isZero()));
    }
  }

  @Test
  void withoutTheStatusListedA503IsPassedOn() throws Exception {
    TestBackend s2 = TestBackend.start("s2");
    try (UnavailableServer unavailable = UnavailableServer.start();
        Balancer b =
            new Balancer(List.of(s2), List.of(unavailable.port()), RetriesConfig.DEFAULTS)) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        statuses.add(
            b.client
                .send(
                    HttpRequest.newBuilder(b.uri("/")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode());
      }
      assertThat(statuses).containsExactlyInAnyOrder(200, 503);
    }
  }

  /**
   * A proxy on port 0, round robin over {@code backends} then {@code rawPorts} (named r1, r2...).
   */
  private static final class Balancer implements AutoCloseable {
    final Pool pool;
    final TetherProxy proxy;
    final List<TestBackend> backends;
    final HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    Balancer(List<TestBackend> backends, List<Integer> rawPorts, RetriesConfig retries) {
      this.backends = backends;
      List<Server> servers = new ArrayList<>();
      Map<String, InetSocketAddress> addrs = new LinkedHashMap<>();
      for (TestBackend t : backends) {
        servers.add(new Server(t.name(), "127.0.0.1", t.port(), 1));
        addrs.put(t.name(), new InetSocketAddress("127.0.0.1", t.port()));
      }
      int i = 0;
      for (int port : rawPorts) {
        String name = "r" + (++i);
        servers.add(new Server(name, "127.0.0.1", port, 1));
        addrs.put(name, new InetSocketAddress("127.0.0.1", port));
      }
      pool =
          new Pool(
              "web",
              servers,
              Balancers.find("round-robin").orElseThrow(),
              Map.of(),
              BalanceEnv.SYSTEM);
      Upstream up =
          new Upstream(
              pool,
              addrs,
              ConnectionsConfig.DEFAULTS,
              null,
              false,
              null,
              new Retries(retries, System::nanoTime),
              null);
      ProxySettings settings =
          new ProxySettings(
              new ProxySettings.Listen("127.0.0.1", 0, 1, Transport.AUTO),
              Timeouts.DEFAULTS,
              Limits.DEFAULTS,
              TrustedProxies.NONE,
              AccessLog.DEFAULTS);
      proxy =
          TetherProxy.start(
              settings, new Router(List.of(new Route(null, "/", "web")), Map.of("web", up)));
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + proxy.port() + path);
    }

    @Override
    public void close() {
      proxy.stop(Duration.ofSeconds(2));
      backends.forEach(TestBackend::close);
    }
  }

  /** Clients sending requests in a loop until stopped; records every non-200 answer or error. */
  private static final class Load {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger ok = new AtomicInteger();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new ArrayList<>();

    interface Requests {
      HttpRequest next(int i);
    }

    interface Outcomes {
      void record(HttpRequest request, int status);
    }

    static Load start(Balancer b, int clients, Requests requests) {
      return start(b, clients, requests, (r, s) -> {});
    }

    static Load start(Balancer b, int clients, Requests requests, Outcomes outcomes) {
      Load load = new Load();
      for (int c = 0; c < clients; c++) {
        load.threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      int i = 0;
                      while (load.running.get()) {
                        HttpRequest req = requests.next(i++);
                        try {
                          HttpResponse<String> r =
                              b.client.send(req, HttpResponse.BodyHandlers.ofString());
                          outcomes.record(req, r.statusCode());
                          if (r.statusCode() == 200) {
                            load.ok.incrementAndGet();
                          } else {
                            load.failures.add(
                                r.statusCode()
                                    + " "
                                    + req.method()
                                    + " "
                                    + req.uri()
                                    + ": "
                                    + r.body().strip());
                          }
                        } catch (IOException e) {
                          load.failures.add("error " + req.method() + " " + req.uri() + ": " + e);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                          return;
                        }
                      }
                    }));
      }
      return load;
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(10));
      }
    }
  }

  /**
   * A server that reads each request (head and Content-Length body) and closes without answering.
   */
  private static final class DroppingServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Map<String, AtomicInteger> byMethod = new ConcurrentHashMap<>();
    private final Thread acceptor;

    private DroppingServer(ServerSocket socket) {
      this.socket = socket;
      this.acceptor = Thread.ofVirtual().start(this::accept);
    }

    static DroppingServer start() throws IOException {
      return new DroppingServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    int port() {
      return socket.getLocalPort();
    }

    int requests(String method) {
      AtomicInteger n = byMethod.get(method);
      return n == null ? 0 : n.get();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket c = socket.accept();
          Thread.ofVirtual().start(() -> dropAfterReading(c));
        } catch (IOException e) {
          return; // closed by the test
        }
      }
    }

    private void dropAfterReading(Socket c) {
      try (c) {
        InputStream in = c.getInputStream();
        BufferedReader head =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1), 1);
        String requestLine = head.readLine();
        if (requestLine == null) {
          return;
        }
        int length = 0;
        String line;
        while ((line = head.readLine()) != null && !line.isEmpty()) {
          if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
            length = Integer.parseInt(line.substring(15).strip());
          }
        }
        for (int i = 0; i < length && head.read() >= 0; i++) {
          // the body is read so the drop happens after the server had all of the request
        }
        byMethod
            .computeIfAbsent(
                requestLine.substring(0, requestLine.indexOf(' ')), k -> new AtomicInteger())
            .incrementAndGet();
      } catch (IOException e) {
        // the proxy went away first
      }
    }

    @Override
    public void close() throws Exception {
      socket.close();
      acceptor.join(Duration.ofSeconds(5));
    }
  }

  /** A server answering 503 to every request, keeping its connections. */
  private static final class UnavailableServer implements AutoCloseable {
    final com.sun.net.httpserver.HttpServer http;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger posts = new AtomicInteger();

    private UnavailableServer(com.sun.net.httpserver.HttpServer http) {
      this.http = http;
    }

    static UnavailableServer start() throws IOException {
      var http =
          com.sun.net.httpserver.HttpServer.create(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      UnavailableServer s = new UnavailableServer(http);
      http.createContext(
          "/",
          ex -> {
            s.requests.incrementAndGet();
            if (ex.getRequestMethod().equals("POST")) {
              s.posts.incrementAndGet();
            }
            ex.getRequestBody().readAllBytes();
            byte[] body = "shutting down\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(503, body.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(body);
            }
          });
      http.start();
      return s;
    }

    int port() {
      return http.getAddress().getPort();
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }
}
