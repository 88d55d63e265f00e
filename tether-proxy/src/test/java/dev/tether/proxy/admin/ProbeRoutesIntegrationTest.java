package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.leak.LeakDetection;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /live} and {@code GET /ready} over real HTTP on an admin API that has a token: they
 * answer without it, nothing else does, and {@code /ready} turns 503 while the balancer shuts down
 * with a request still in flight on a real backend.
 */
@ExtendWith(LeakDetection.class)
class ProbeRoutesIntegrationTest {

  private static final String TOKEN = "probe-routes-token-0123456789";
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch arrived = new CountDownLatch(1);
  private HttpServer backend;
  private ControlPlane tether;

  @BeforeEach
  void start() throws Exception {
    backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    backend.setExecutor(executor);
    backend.createContext(
        "/",
        ex -> {
          try (ex) {
            if (ex.getRequestURI().getPath().equals("/slow")) {
              arrived.countDown();
              release.await(20, TimeUnit.SECONDS);
            }
            byte[] body = "done".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(body);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    backend.start();
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\nadmin: { listen: 127.0.0.1:0, token: "
            + TOKEN
            + " }\n"
            + "pools:\n  web:\n    servers:\n      - { name: s1, address: 127.0.0.1:"
            + backend.getAddress().getPort()
            + " }\n";
    tether =
        ControlPlane.start(ConfigLoader.parse(yaml, "probes.yaml", Map.<String, String>of()::get));
  }

  @AfterEach
  void stop() {
    release.countDown();
    tether.stop(Duration.ofSeconds(2));
    backend.stop(0);
    executor.close();
    http.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.admin().port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void liveAndReadyAnswerWithoutATokenAndNothingElseDoes() throws Exception {
    HttpResponse<String> live = send("GET", "/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(json.readTree(live.body()).get("live").asBoolean()).isTrue();

    HttpResponse<String> ready = send("GET", "/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonNode body = json.readTree(ready.body());
    assertThat(body.get("ready").asBoolean()).isTrue();
    assertThat(body.get("detail").asText())
        .isEqualTo("listening on 127.0.0.1:" + tether.proxy().port());
    assertThat(body.get("pools").asInt()).isEqualTo(1);
    assertThat(send("GET", "/ready?verbose=1").statusCode())
        .as("a query changes nothing")
        .isEqualTo(200);

    for (String other :
        new String[] {"/api/pools", "/live/", "/ready/x", "/readyz", "/metrics", "/api/reload"}) {
      HttpResponse<String> r = send("GET", other);
      assertThat(r.statusCode()).as(other + " keeps its token").isEqualTo(401);
      assertThat(r.body()).contains("Authorization: Bearer");
    }
    HttpResponse<String> post = send("POST", "/ready");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    assertThat(post.body()).contains("use GET");
  }

  @Test
  void readyTurns503WhileTheBalancerShutsDownAndLiveStaysUp() throws Exception {
    URI slow = URI.create("http://127.0.0.1:" + tether.proxy().port() + "/slow");
    CompletableFuture<HttpResponse<String>> inFlight =
        http.sendAsync(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopping =
        CompletableFuture.runAsync(() -> tether.stop(Duration.ofSeconds(15)), executor);
    await().atMost(Duration.ofSeconds(10)).until(() -> send("GET", "/ready").statusCode() == 503);
    HttpResponse<String> notReady = send("GET", "/ready");
    assertThat(json.readTree(notReady.body()).get("ready").asBoolean()).isFalse();
    assertThat(json.readTree(notReady.body()).get("detail").asText()).isEqualTo("shutting down");
    assertThat(send("GET", "/live").statusCode()).isEqualTo(200);
    assertThat(stopping).as("the in-flight request holds the stop").isNotDone();

    release.countDown();
    assertThat(inFlight.get(10, TimeUnit.SECONDS).body())
        .as("the request in flight finishes")
        .isEqualTo("done");
    stopping.get(20, TimeUnit.SECONDS);
  }
}
