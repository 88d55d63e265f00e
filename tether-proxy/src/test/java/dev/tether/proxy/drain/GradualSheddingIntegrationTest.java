package dev.tether.proxy.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gradual shedding over real sockets: a server holding 200 unmanaged WebSocket tunnels is drained
 * hard; its tunnels are told to go away (1001) at the pool's {@code tunnel-close-rate}, not all at
 * once, and every client that reconnects through its token lands on another server.
 */
@ExtendWith(LeakDetection.class)
class GradualSheddingIntegrationTest {

  private static final String TOKEN = "shedding-test-token-0123456789";
  private static final int TUNNELS = 200;
  private static final int RATE = 50;

  private final List<TestBackend> backends = new ArrayList<>();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .cookieHandler(new CookieManager())
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final HttpClient admin =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ControlPlane tether;

  @BeforeEach
  void start() throws Exception {
    StringBuilder servers = new StringBuilder();
    for (String n : List.of("s1", "s2", "s3")) {
      TestBackend b = TestBackend.start(n);
      backends.add(b);
      servers
          .append("      - { name: ")
          .append(n)
          .append(", address: 127.0.0.1:")
          .append(b.port())
          .append(" }\n");
    }
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\nadmin: { listen: 127.0.0.1:0, token: "
            + TOKEN
            + " }\n"
            + "pools:\n  chat:\n    affinity: { mode: cookie }\n    drain: { mode: hard, tunnel-close-rate: "
            + RATE
            + "/s }\n"
            + "    servers:\n"
            + servers;
    tether =
        ControlPlane.start(
            ConfigLoader.parse(yaml, "shedding.yaml", Map.<String, String>of()::get));
  }

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
    client.close();
    admin.close();
  }

  /** Remembers when the WebSocket was closed and with which code, and the server that echoed. */
  private static final class Tunnel implements WebSocket.Listener {
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final CompletableFuture<String> echo = new CompletableFuture<>();
    volatile long closedAtNanos;

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      String m = data.toString();
      echo.complete(m.substring(0, m.indexOf(':')));
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closedAtNanos = System.nanoTime();
      closed.complete(statusCode);
      return null;
    }
  }

  private CompletableFuture<WebSocket> open(Tunnel t) {
    return client
        .newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + tether.proxy().port() + "/ws"), t);
  }

  @Test
  void twoHundredTunnelsAreShedAtTheConfiguredRateAndReconnectElsewhere() throws Exception {
    HttpResponse<String> first =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.proxy().port() + "/"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String home = first.headers().firstValue("X-Server").orElseThrow();

    List<Tunnel> tunnels = new ArrayList<>();
    List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
    for (int i = 0; i < TUNNELS; i++) {
      Tunnel t = new Tunnel();
      tunnels.add(t);
      opening.add(open(t));
    }
    List<WebSocket> sockets = new ArrayList<>();
    for (CompletableFuture<WebSocket> f : opening) {
      WebSocket ws = f.get(20, TimeUnit.SECONDS);
      ws.sendText("hi", true);
      sockets.add(ws);
    }
    for (Tunnel t : tunnels) {
      assertThat(t.echo.get(10, TimeUnit.SECONDS))
          .as("every tunnel follows the client's token")
          .isEqualTo(home);
    }

    long drainedAt = System.nanoTime();
    HttpResponse<String> drain =
        admin.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + tether.admin().port()
                            + "/api/pools/chat/servers/"
                            + home
                            + "/drain"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(drain.statusCode()).as(drain.body()).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> tunnels.stream().allMatch(t -> t.closed.isDone()));
    for (Tunnel t : tunnels) {
      assertThat(t.closed.get()).as("Going Away").isEqualTo(1001);
    }
    List<Long> at = new ArrayList<>();
    for (Tunnel t : tunnels) {
      at.add(t.closedAtNanos - drainedAt);
    }
    Collections.sort(at);
    // A token bucket of 50/s with a burst of 5 closes 200 tunnels in at least (200 - 5) / 50 = 3.9
    // s
    // and at most 55 in any one second. Closes are timed where the client sees them, which a busy
    // machine may bunch up, so the bounds are looser: at least 2.5 s, at most 80 in any second.
    // Closing all at once takes well under a second and fails both.
    double spanSeconds = (at.getLast() - at.getFirst()) / 1e9;
    assertThat(spanSeconds).as("seconds from the first close to the last").isGreaterThan(2.5);
    int maxInASecond = 0;
    for (int i = 0, j = 0; i < at.size(); i++) {
      while (at.get(i) - at.get(j) > 1_000_000_000L) {
        j++;
      }
      maxInASecond = Math.max(maxInASecond, i - j + 1);
    }
    assertThat(maxInASecond).as("closes within any one second").isLessThanOrEqualTo(80);

    // Each client reconnects through its token and lands on another server.
    List<Tunnel> again = new ArrayList<>();
    List<WebSocket> reopened = new ArrayList<>();
    for (int i = 0; i < TUNNELS; i++) {
      Tunnel t = new Tunnel();
      again.add(t);
      WebSocket ws = open(t).get(20, TimeUnit.SECONDS);
      ws.sendText("back", true);
      reopened.add(ws);
    }
    for (Tunnel t : again) {
      assertThat(t.echo.get(10, TimeUnit.SECONDS)).isNotEqualTo(home);
    }
    reopened.forEach(WebSocket::abort);
    sockets.forEach(WebSocket::abort);
  }
}
