package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Pool;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityCookie;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.policy.AffinityPolicies;
import dev.tether.balance.affinity.token.KeyRing;
import dev.tether.balance.affinity.token.SigningKey;
import dev.tether.balance.affinity.token.TokenLifetime;
import dev.tether.proxy.config.Timeouts;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Cookie affinity end to end: three real backends behind a real proxy, real HTTP clients. */
@ExtendWith(LeakDetection.class)
class AffinityIntegrationTest {

  static final KeyRing KEYS;

  static {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) 5);
    KEYS = new KeyRing(List.of(new SigningKey("k1", secret)));
  }

  static Function<Pool, AffinityPolicy> cookie(AffinityRules rules) {
    return pool ->
        AffinityPolicies.cookie(
            AffinityCookie.named("TETHER"),
            new TokenLifetime(Duration.ofMinutes(30), Duration.ofHours(8), Duration.ofMinutes(1)),
            KEYS,
            rules,
            Clock.systemUTC(),
            BalanceEnv.SYSTEM);
  }

  static final AffinityRules NO_WINDOW =
      AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ZERO);

  static ProxyFixture fixture(Function<Pool, AffinityPolicy> affinity) {
    List<TestBackend> bs = new ArrayList<>();
    for (String n : List.of("s1", "s2", "s3")) {
      bs.add(TestBackend.start(n));
    }
    Timeouts t = Timeouts.DEFAULTS;
    Timeouts quick =
        new Timeouts(
            t.connect(),
            t.clientRequest(),
            t.clientIdle(),
            Duration.ofSeconds(5),
            t.tunnel(),
            t.shutdown());
    return new ProxyFixture(bs, List.of(), quick, affinity, TrustedProxies.NONE);
  }

  static HttpClient jarClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .cookieHandler(new CookieManager())
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  static HttpResponse<String> get(HttpClient c, URI uri, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (headers.length > 0) {
      b.headers(headers);
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A request on a new connection (so no connection pin applies). */
  static HttpResponse<String> fresh(ProxyFixture f, String path, String... headers)
      throws Exception {
    try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      return get(c, f.uri(path), headers);
    }
  }

  static String server(HttpResponse<?> r) {
    return r.headers().firstValue("x-server").orElseThrow();
  }

  static String affinity(HttpResponse<?> r) {
    return r.headers().firstValue("x-tether-affinity").orElseThrow();
  }

  @Test
  void aCookieJarKeepsAHundredRequestsOnOneServer() throws Exception {
    try (ProxyFixture f = fixture(cookie(NO_WINDOW));
        HttpClient c = jarClient()) {
      HttpResponse<String> first = get(c, f.uri("/"));
      String bound = server(first);
      assertThat(affinity(first)).isEqualTo("cookie; new; " + bound);
      String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
      assertThat(setCookie)
          .startsWith("TETHER=")
          .contains("HttpOnly")
          .doesNotContain("127.0.0.1")
          .doesNotContain(String.valueOf(f.backend(bound).port()));
      for (int i = 0; i < 100; i++) {
        HttpResponse<String> r = get(c, f.uri("/"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(server(r)).isEqualTo(bound);
        assertThat(affinity(r)).isEqualTo("cookie; hit; " + bound);
      }
      assertThat(f.backend(bound).requests()).isEqualTo(101);
    }
  }

  @Test
  void freshClientsAreBalanced() throws Exception {
    try (ProxyFixture f = fixture(cookie(NO_WINDOW))) {
      Set<String> servers = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r = fresh(f, "/");
        servers.add(server(r));
        assertThat(r.headers().firstValue("set-cookie")).isPresent();
      }
      assertThat(servers).containsExactlyInAnyOrder("s1", "s2", "s3");
    }
  }

  @Test
  void killingTheBoundServerRepinsWithANewCookieAndNoError() throws Exception {
    try (ProxyFixture f = fixture(cookie(NO_WINDOW));
        HttpClient c = jarClient()) {
      HttpResponse<String> first = get(c, f.uri("/"));
      String bound = server(first);
      String oldCookie = first.headers().firstValue("set-cookie").orElseThrow();
      TestBackend dead = f.backend(bound);
      dead.close();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> dead.openConnections() == 0);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> new Socket("127.0.0.1", dead.port()).close())
          .isInstanceOf(java.net.ConnectException.class);
      HttpResponse<String> r = get(c, f.uri("/"));
      assertThat(r.statusCode()).isEqualTo(200);
      String now = server(r);
      assertThat(now).isNotEqualTo(bound);
      assertThat(affinity(r)).isEqualTo("cookie; redispatched-down; " + now);
      assertThat(r.headers().firstValue("set-cookie").orElseThrow()).isNotEqualTo(oldCookie);
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> again = get(c, f.uri("/"));
        assertThat(server(again)).isEqualTo(now);
        assertThat(affinity(again)).startsWith("cookie; hit;");
      }
    }
  }

  @Test
  void strictAnswers503WhenTheBoundServerIsGone() throws Exception {
    try (ProxyFixture f = fixture(cookie(NO_WINDOW.withStrict(true)));
        HttpClient c = jarClient()) {
      String bound = server(get(c, f.uri("/")));
      TestBackend dead = f.backend(bound);
      dead.close();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> dead.openConnections() == 0);
      HttpResponse<String> r = get(c, f.uri("/"));
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("on-failure: strict");
      f.pool.setState(bound, ServerState.DOWN);
      HttpResponse<String> down = get(c, f.uri("/"));
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(server(fresh(f, "/")))
          .as("a client without binding is served")
          .isNotEqualTo(bound);
    }
  }

  @Test
  void aDrainedServerKeepsItsClientsAndGetsNoNewOnes() throws Exception {
    try (ProxyFixture f = fixture(cookie(NO_WINDOW));
        HttpClient c = jarClient()) {
      String bound = server(get(c, f.uri("/")));
      f.pool.setState(bound, ServerState.DRAINING);
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = get(c, f.uri("/"));
        assertThat(server(r)).isEqualTo(bound);
        assertThat(affinity(r)).isEqualTo("cookie; hit; " + bound);
      }
      for (int i = 0; i < 6; i++) {
        assertThat(server(fresh(f, "/"))).isNotEqualTo(bound);
      }
      AffinityPolicy policy = f.affinity;
      assertThat(policy.stats().sessionsRemaining(bound)).isEqualTo(1);
    }
  }

  @Test
  void aForgedCookieIsBalancedAfreshAndReplaced() throws Exception {
    try (ProxyFixture f = fixture(cookie(NO_WINDOW));
        HttpClient c = jarClient()) {
      HttpResponse<String> first = get(c, f.uri("/"));
      String token =
          first
              .headers()
              .firstValue("set-cookie")
              .orElseThrow()
              .split(";")[0]
              .substring("TETHER=".length());
      char flip = token.charAt(5) == 'A' ? 'B' : 'A';
      String forged = token.substring(0, 5) + flip + token.substring(6);
      for (String bad : List.of(forged, "s1", "127.0.0.1:" + f.backend("s1").port())) {
        HttpResponse<String> r = fresh(f, "/", "Cookie", "TETHER=" + bad);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(affinity(r)).startsWith("cookie; invalid; ");
        assertThat(r.headers().firstValue("set-cookie").orElseThrow())
            .startsWith("TETHER=")
            .doesNotContain(bad);
      }
      assertThat(f.affinity.stats().count(AffinityOutcome.INVALID)).isEqualTo(3);
    }
  }

  @Test
  void concurrentFirstRequestsOfOneClientShareAServer() throws Exception {
    try (ProxyFixture f =
        fixture(cookie(AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ofSeconds(30))))) {
      List<HttpClient> clients = new ArrayList<>();
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        clients.add(c);
        all.add(
            c.sendAsync(
                HttpRequest.newBuilder(f.uri("/slow?ms=50")).build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      Set<String> servers = new HashSet<>();
      for (var r : all) {
        servers.add(server(r.get(10, TimeUnit.SECONDS)));
      }
      clients.forEach(HttpClient::close);
      assertThat(servers).hasSize(1);
    }
  }

  @Test
  void aWebSocketUpgradeLandsOnTheBoundServer() throws Exception {
    try (ProxyFixture f = fixture(cookie(NO_WINDOW));
        HttpClient c = jarClient()) {
      String bound = server(get(c, f.uri("/")));
      String cookie =
          c.cookieHandler().orElseThrow().get(f.uri("/"), java.util.Map.of()).get("Cookie").get(0);
      for (int round = 0; round < 3; round++) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws =
            c.newWebSocketBuilder()
                .header("Cookie", cookie)
                .buildAsync(
                    URI.create("ws://127.0.0.1:" + f.proxy.port() + "/ws"),
                    new WebSocket.Listener() {
                      @Override
                      public CompletionStage<?> onText(
                          WebSocket w, CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        return null;
                      }
                    })
                .get(10, TimeUnit.SECONDS);
        ws.sendText("ping", true);
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo(bound + ": ping");
        ws.abort();
      }
    }
  }

  @Test
  void theWebSocket101CarriesTheCookie() throws Exception {
    try (ProxyFixture f = fixture(cookie(NO_WINDOW));
        Socket s = new Socket("127.0.0.1", f.proxy.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("HTTP/1.1 101");
      List<String> head = new ArrayList<>();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        head.add(line.toLowerCase(java.util.Locale.ROOT));
      }
      assertThat(head).anySatisfy(h -> assertThat(h).startsWith("set-cookie: tether="));
      assertThat(head)
          .anySatisfy(h -> assertThat(h).startsWith("x-tether-affinity: cookie; new; s"));
    }
  }
}
