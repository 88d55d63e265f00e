package dev.tether.proxy.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tether.proxy.config.AlertsConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook over a real socket: retries a failing receiver, then sends the resolution after the
 * firing.
 */
class WebhookNotifierTest {

  private final ObjectMapper json = new ObjectMapper();
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final HttpServer receiver;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
  private final Alert alert =
      new Alert(
          "server-down",
          "down",
          "web",
          "s2",
          Instant.parse("2026-12-02T19:30:00Z"),
          1,
          null,
          "pool web: server s2 is DOWN for 10s");

  WebhookNotifierTest() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        ex -> {
          JsonNode body = json.readTree(ex.getRequestBody().readAllBytes());
          boolean fail = failuresLeft.getAndDecrement() > 0;
          received.add(body.get("status").asText() + (fail ? " (refused)" : ""));
          ex.sendResponseHeaders(fail ? 503 : 204, -1);
          ex.close();
        });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
    retries.shutdownNow();
    http.close();
  }

  private WebhookNotifier notifier(int attempts) {
    return new WebhookNotifier(
        new AlertsConfig.Webhook(
            URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"),
            Duration.ofSeconds(2),
            attempts,
            Duration.ofMillis(50)),
        http,
        retries);
  }

  @Test
  void aRefusedPostIsRetriedAndTheResolutionFollowsTheFiring() {
    failuresLeft.set(2);
    WebhookNotifier n = notifier(5);
    n.fired(alert, Instant.now());
    n.resolved(alert, Instant.now()); // queued behind the firing's retries
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 4);
    assertThat(received)
        .containsExactly("firing (refused)", "firing (refused)", "firing", "resolved");
  }

  @Test
  void retriesAreBounded() {
    failuresLeft.set(100);
    notifier(3).fired(alert, Instant.now());
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> received.size() == 3);
  }
}
