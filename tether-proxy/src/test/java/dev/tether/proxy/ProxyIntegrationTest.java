package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.balance.ServerState;
import dev.tether.proxy.config.Timeouts;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakDetection.class)
class ProxyIntegrationTest {

  @Test
  void balancesRoundRobinAcrossThreeBackends() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1", "s2", "s3")) {
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < 30; i++) {
        HttpResponse<String> r =
            f.client.send(
                HttpRequest.newBuilder(f.uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String server = r.headers().firstValue("x-server").orElseThrow();
        assertThat(r.body()).isEqualTo("hello from " + server + "\n");
        seen.merge(server, 1, Integer::sum);
      }
      assertThat(seen)
          .containsOnlyKeys("s1", "s2", "s3")
          .allSatisfy((k, v) -> assertThat(v).isEqualTo(10));
    }
  }

  @Test
  void reusesBackendConnectionsAcrossRequests() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1")) {
      for (int i = 0; i < 100; i++) {
        HttpResponse<String> r =
            f.client.send(
                HttpRequest.newBuilder(f.uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      }
      // Sequential requests on one event loop need one backend connection, kept alive.
      assertThat(f.backend("s1").requests()).isEqualTo(100);
      assertThat(f.backend("s1").connections()).isEqualTo(1);
    }
  }

  @Test
  void reconnectsWhenTheBackendClosedAnIdleConnection() throws Exception {
    TestBackend s1 = TestBackend.start("s1", Duration.ofMillis(200));
    try (ProxyFixture f = new ProxyFixture(List.of(s1), List.of(), Timeouts.DEFAULTS)) {
      for (int round = 0; round < 3; round++) {
        HttpResponse<String> r =
            f.client.send(
                HttpRequest.newBuilder(f.uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> s1.openConnections() == 0);
      }
      assertThat(s1.connections()).isEqualTo(3);
    }
  }

  @Test
  void answers502WhenTheOnlyServerRefusesConnections() throws Exception {
    try (ProxyFixture f =
        new ProxyFixture(List.of(), List.of(ProxyFixture.deadPort()), Timeouts.DEFAULTS)) {
      HttpResponse<String> r =
          f.client.send(
              HttpRequest.newBuilder(f.uri("/")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.body()).startsWith("502 Bad Gateway: connect to dead1 failed");
    }
  }

  @Test
  void retriesAConnectFailureOnceOnAnotherServer() throws Exception {
    TestBackend s1 = TestBackend.start("s1");
    try (ProxyFixture f =
        new ProxyFixture(List.of(s1), List.of(ProxyFixture.deadPort()), Timeouts.DEFAULTS)) {
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> r =
            f.client.send(
                HttpRequest.newBuilder(f.uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hello from s1\n");
      }
    }
  }

  /**
   * A server that dies while its kept-alive connection is reused: it answers the first request on a
   * connection, and on the second stops listening and drops that connection unanswered. The proxy
   * sends the request again on a fresh connection, which is refused, and then still owes the client
   * the one retry on another server that a connect failure (nothing sent) always allows.
   */
  @Test
  void aServerThatDiesUnderAReusedConnectionIsRetriedOnAnotherServer() throws Exception {
    TestBackend s2 = TestBackend.start("s2");
    java.net.ServerSocket dying =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    java.util.concurrent.atomic.AtomicInteger secondRequests =
        new java.util.concurrent.atomic.AtomicInteger();
    Thread server =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (Socket c = dying.accept()) {
                    BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(c.getInputStream(), StandardCharsets.ISO_8859_1));
                    OutputStream out = c.getOutputStream();
                    readHead(in);
                    out.write(
                        "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ndying\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    readHead(in);
                    secondRequests.incrementAndGet();
                    dying.close();
                  } catch (java.io.IOException e) {
                    // the test closes the listener at the end
                  }
                });
    try (ProxyFixture f =
        new ProxyFixture(List.of(s2), List.of(dying.getLocalPort()), Timeouts.DEFAULTS)) {
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> r =
            f.client.send(
                HttpRequest.newBuilder(f.uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(200);
      }
      assertThat(secondRequests.get())
          .as("the dying server saw a request on its reused connection")
          .isEqualTo(1);
      // the attempt on the dead server does not stay counted as in flight
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(f.pool.snapshot().members())
                      .allSatisfy(m -> assertThat(m.load().inFlight()).as(m.name()).isZero()));
    } finally {
      dying.close();
      server.join(Duration.ofSeconds(5));
      s2.close();
    }
  }

  private static void readHead(BufferedReader in) throws java.io.IOException {
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      // the request head ends at the empty line; GETs carry no body
    }
  }

  @Test
  void answers502WhenTheBackendDropsTheConnectionBeforeResponding() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1")) {
      HttpResponse<String> r =
          f.client.send(
              HttpRequest.newBuilder(f.uri("/drop")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(502);
      // The next request still works.
      assertThat(
              f.client
                  .send(
                      HttpRequest.newBuilder(f.uri("/")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void answers503WhenNoServerIsAvailable() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1", "s2")) {
      f.pool.setState("s1", ServerState.DOWN);
      f.pool.setState("s2", ServerState.DISABLED);
      HttpResponse<String> r =
          f.client.send(
              HttpRequest.newBuilder(f.uri("/")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(f.backend("s1").requests() + f.backend("s2").requests()).isZero();
      f.pool.setState("s2", ServerState.UP);
      assertThat(
              f.client
                  .send(
                      HttpRequest.newBuilder(f.uri("/")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .isEqualTo("hello from s2\n");
    }
  }

  @Test
  void answers504WhenTheBackendIsTooSlow() throws Exception {
    var timeouts =
        new Timeouts(
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofMillis(300),
            Duration.ofMinutes(1),
            Duration.ofSeconds(5));
    try (ProxyFixture f = ProxyFixture.of(timeouts, "s1")) {
      HttpResponse<String> r =
          f.client.send(
              HttpRequest.newBuilder(f.uri("/slow?ms=3000")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(504);
      assertThat(
              f.client
                  .send(
                      HttpRequest.newBuilder(f.uri("/slow?ms=10")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void setsForwardingHeadersAndReplacesSpoofedOnes() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1")) {
      HttpResponse<String> r =
          f.client.send(
              HttpRequest.newBuilder(f.uri("/headers"))
                  .header("X-Forwarded-For", "6.6.6.6")
                  .header("Forwarded", "for=6.6.6.6")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.body())
          .contains("x-forwarded-for: 127.0.0.1\n")
          .doesNotContain("6.6.6.6")
          .contains("x-forwarded-proto: http\n")
          .contains("via: 1.1 tether\n")
          .contains(
              "forwarded: for=127.0.0.1;proto=http;host=\"127.0.0.1:" + f.proxy.port() + "\"\n")
          .contains("x-forwarded-host: 127.0.0.1:" + f.proxy.port() + "\n");
      assertThat(r.headers().allValues("via")).contains("1.1 tether");
    }
  }

  @Test
  void dropsHopByHopHeadersAndThoseNamedInConnection() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1");
        Socket s = new Socket("127.0.0.1", f.proxy.port())) {
      String req =
          "GET /headers HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\n"
              + "Keep-Alive: timeout=5\r\nProxy-Connection: x\r\nTE: trailers\r\nX-Kept: yes\r\n\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      String resp = RawHttp.readResponse(s.getInputStream());
      assertThat(resp)
          .startsWith("HTTP/1.1 200")
          .contains("x-kept: yes")
          .doesNotContain("x-secret")
          .doesNotContain("keep-alive: timeout")
          .doesNotContain("proxy-connection")
          .doesNotContain("te: trailers");
    }
  }

  @Test
  void headersOnlyTheBalancerMaySetNeitherReachTheBackendNorTheClient() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1");
        Socket s = new Socket("127.0.0.1", f.proxy.port())) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(
          ("GET /headers HTTP/1.1\r\nHost: a\r\nTether-Session-Owners: s2, s3\r\nTETHER-BINDING: s2; epoch=9\r\n"
                  + "Tether-WebSocket-Resume: x; received=1; sent=1\r\nTether-State: drain\r\nTether-Weight: 0%\r\n"
                  + "Tether-Session-Expires-In: 5\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      String seen = RawHttp.readResponse(in);
      assertThat(seen)
          .startsWith("HTTP/1.1 200")
          .contains("tether-session-expires-in: 5")
          .doesNotContain("tether-session-owners")
          .doesNotContain("tether-binding")
          .doesNotContain("tether-websocket-resume")
          .doesNotContain("tether-state")
          .doesNotContain("tether-weight");
      for (String name :
          List.of("Tether-State", "Tether-Weight", "Tether-Session-Owners", "Tether-Binding")) {
        out.write(
            ("GET /set-header?name=" + name + "&value=1 HTTP/1.1\r\nHost: a\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        String resp = RawHttp.readResponse(in);
        assertThat(resp)
            .startsWith("HTTP/1.1 200")
            .contains("set " + name)
            .doesNotContainIgnoringCase(name + ":");
      }
      out.write(
          "GET /set-header?name=Tether-Session-Expires-In&value=60 HTTP/1.1\r\nHost: a\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      assertThat(RawHttp.readResponse(in)).containsIgnoringCase("tether-session-expires-in: 60");
    }
  }

  @Test
  void handlesHeadAnd204And304WithoutBodies() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1");
        Socket s = new Socket("127.0.0.1", f.proxy.port())) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String head = RawHttp.readResponse(in, false);
      assertThat(head)
          .startsWith("HTTP/1.1 200")
          .contains("content-length: 14")
          .endsWith("\r\n\r\n");
      out.write(
          "GET /status?code=204 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 204").endsWith("\r\n\r\n");
      out.write(
          "GET /status?code=304 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 304").endsWith("\r\n\r\n");
      // The connection is still in sync: a normal request follows.
      out.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String last = RawHttp.readResponse(in);
      assertThat(last).startsWith("HTTP/1.1 200").endsWith("hello from s1\n");
    }
  }

  @Test
  void relaysExpect100Continue() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1");
        Socket s = new Socket("127.0.0.1", f.proxy.port())) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(
          "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 100 Continue");
      out.write("hello".getBytes(StandardCharsets.US_ASCII));
      String resp = RawHttp.readResponse(in);
      assertThat(resp)
          .startsWith("HTTP/1.1 200")
          .contains("transfer-encoding: chunked")
          .contains("hello");
    }
  }

  @Test
  void servesPipelinedRequestsInOrder() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1", "s2");
        Socket s = new Socket("127.0.0.1", f.proxy.port())) {
      s.getOutputStream()
          .write(
              ("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n"
                      + "GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      assertThat(RawHttp.readResponse(in)).endsWith("hello from s1\n");
      assertThat(RawHttp.readResponse(in)).endsWith("hello from s2\n");
      assertThat(RawHttp.readResponse(in))
          .contains("connection: close")
          .endsWith("hello from s1\n");
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void tunnelsAWebSocketAfterTheUpgrade() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1")) {
      CompletableFuture<String> reply = new CompletableFuture<>();
      var ws =
          f.client
              .newWebSocketBuilder()
              .buildAsync(
                  java.net.URI.create("ws://127.0.0.1:" + f.proxy.port() + "/ws"),
                  new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(
                        java.net.http.WebSocket w, CharSequence data, boolean last) {
                      reply.complete(data.toString());
                      return null;
                    }
                  })
              .get(5, java.util.concurrent.TimeUnit.SECONDS);
      ws.sendText("ping", true).get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(reply.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("s1: ping");
      ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye")
          .get(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void letsInFlightRequestsFinishOnGracefulShutdown() throws Exception {
    ProxyFixture f = ProxyFixture.of("s1");
    try {
      CompletableFuture<HttpResponse<String>> inFlight =
          f.client.sendAsync(
              HttpRequest.newBuilder(f.uri("/slow?ms=700")).build(),
              HttpResponse.BodyHandlers.ofString());
      await().atMost(Duration.ofSeconds(5)).until(() -> f.backend("s1").requests() == 1);
      CompletableFuture<Void> stopped =
          CompletableFuture.runAsync(() -> f.proxy.stop(Duration.ofSeconds(10)));
      HttpResponse<String> r = inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("slow hello from s1\n");
      assertThat(r.headers().firstValue("connection")).hasValue("close");
      stopped.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(f.proxy.openConnections()).isZero();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> new Socket("127.0.0.1", f.proxy.port()).close())
          .isInstanceOf(java.net.ConnectException.class);
    } finally {
      f.backends.forEach(TestBackend::close);
    }
  }

  @Test
  void answers408WhenTheRequestHeadDoesNotArriveInTime() throws Exception {
    var timeouts =
        new Timeouts(
            Duration.ofSeconds(2),
            Duration.ofMillis(300),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            Duration.ofMinutes(1),
            Duration.ofSeconds(5));
    try (ProxyFixture f = ProxyFixture.of(timeouts, "s1");
        Socket s = new Socket("127.0.0.1", f.proxy.port())) {
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII));
      String resp = RawHttp.readResponse(s.getInputStream());
      assertThat(resp).startsWith("HTTP/1.1 408");
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(f.backend("s1").requests()).isZero();
    }
  }

  static final class RawHttp {
    /** Reads one response (head and a Content-Length or chunked body) as text. */
    static String readResponse(InputStream in) throws java.io.IOException {
      return readResponse(in, true);
    }

    /** Reads one response; {@code mayHaveBody} is false for the answer to a HEAD request. */
    static String readResponse(InputStream in, boolean mayHaveBody) throws java.io.IOException {
      StringBuilder sb = new StringBuilder();
      int contentLength = -1;
      boolean chunked = false;
      String line;
      while (!(line = readLine(in)).isEmpty()) {
        String lower = line.toLowerCase(java.util.Locale.ROOT);
        sb.append(lower.contains(":") && !lower.startsWith("http/") ? lower : line).append("\r\n");
        if (lower.startsWith("content-length:")) {
          contentLength = Integer.parseInt(lower.substring(15).trim());
        }
        if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      sb.append("\r\n");
      String status = sb.substring(9, 12);
      boolean noBody =
          !mayHaveBody || status.startsWith("1") || status.equals("204") || status.equals("304");
      if (chunked && !noBody) {
        int size;
        while ((size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16)) > 0) {
          sb.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
          readLine(in);
        }
        while (!readLine(in).isEmpty()) {
          // trailers
        }
      } else if (contentLength > 0 && !noBody) {
        sb.append(new String(in.readNBytes(contentLength), StandardCharsets.UTF_8));
      }
      return sb.toString();
    }

    static String readLine(InputStream in) throws java.io.IOException {
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          break;
        }
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }
  }
}
