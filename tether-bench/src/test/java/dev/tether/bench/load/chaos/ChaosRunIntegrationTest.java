package dev.tether.bench.load.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tether.bench.load.LoadReport;
import dev.tether.bench.load.LoadRunner;
import dev.tether.bench.load.LoadSettings;
import dev.tether.bench.load.LoadTarget;
import dev.tether.bench.load.scenario.HttpCall;
import dev.tether.bench.load.scenario.HttpReply;
import dev.tether.bench.load.scenario.Scenario;
import dev.tether.bench.load.scenario.UserFlow;
import dev.tether.bench.load.scenario.Verdict;
import dev.tether.testing.leak.LeakDetection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A kill and a start through a fake admin API (port 0) against a fake instance: the POSTs in flight
 * on the killed instance are counted apart, later failures count, and the start's re-pin time is
 * measured.
 */
@ExtendWith(LeakDetection.class)
class ChaosRunIntegrationTest {

  private HttpServer app;
  private HttpServer admin;
  private volatile boolean down;
  private volatile boolean slow = true;
  private final java.util.concurrent.atomic.AtomicInteger served =
      new java.util.concurrent.atomic.AtomicInteger();
  private final List<String> adminCalls = new CopyOnWriteArrayList<>();

  /** POSTs the instance holds until it is killed. */
  private final java.util.Queue<com.sun.net.httpserver.HttpExchange> held =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  private final java.util.concurrent.atomic.AtomicInteger failedHeld =
      new java.util.concurrent.atomic.AtomicInteger();

  private final java.util.concurrent.atomic.AtomicInteger servedAfterStart =
      new java.util.concurrent.atomic.AtomicInteger();

  @AfterEach
  void stop() {
    app.stop(0);
    admin.stop(0);
  }

  private int startApp() throws IOException {
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    app.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    app.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          ex.getResponseHeaders().set("X-Tether-Instance", "s1");
          if (!down && slow && served.incrementAndGet() > 30) {
            // after 30 quick answers (every user knows it is on s1) the instance holds each POST
            // until the kill, so each user's POST is in flight when the kill comes
            held.add(ex);
            return;
          }
          answer(ex);
        });
    app.start();
    return app.getAddress().getPort();
  }

  private void failHeld() {
    com.sun.net.httpserver.HttpExchange ex;
    while ((ex = held.poll()) != null) {
      answer(ex); // down: a 502
      failedHeld.incrementAndGet();
    }
  }

  private void answer(com.sun.net.httpserver.HttpExchange ex) {
    try (ex) {
      boolean up = !down;
      if (up && !slow) {
        servedAfterStart.incrementAndGet();
      }
      ex.sendResponseHeaders(up ? 200 : 502, -1);
    } catch (IOException e) {
      // the client went away (the load run ended): nothing to answer
    }
  }

  private int startAdmin() throws IOException {
    admin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
    admin.createContext(
        "/",
        ex -> {
          try (ex) {
            String path = ex.getRequestURI().getPath();
            adminCalls.add(ex.getRequestMethod() + " " + path);
            if (path.endsWith("/kill")) {
              // however long the 30 quick answers took, the kill comes once the instance holds a
              // POST of every user; it fails them (502) a moment after the kill is answered, as a
              // balancer answers for a dead server: a user that kept getting answers would have
              // sent more POSTs while the kill was being answered
              org.awaitility.Awaitility.await()
                  .atMost(java.time.Duration.ofSeconds(5))
                  .until(() -> held.size() >= 3);
              down = true;
              java.util.concurrent.CompletableFuture.delayedExecutor(
                      300, java.util.concurrent.TimeUnit.MILLISECONDS)
                  .execute(this::failHeld);
            } else if (path.endsWith("/start")) {
              // the held POSTs have failed before the instance is back, however late the kill was
              org.awaitility.Awaitility.await()
                  .atMost(java.time.Duration.ofSeconds(5))
                  .until(() -> failedHeld.get() >= 3);
              slow = false;
              down = false;
              // the instance is back before the admin API answers: users served meanwhile are
              // the start's, not the kill's (answer only once they have been)
              org.awaitility.Awaitility.await()
                  .atMost(java.time.Duration.ofSeconds(5))
                  .until(() -> servedAfterStart.get() >= 9);
            }
            byte[] out = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(
                path.startsWith("/api/pools/web/servers") ? 404 : 200, out.length);
            ex.getResponseBody().write(out);
          }
        });
    admin.start();
    return admin.getAddress().getPort();
  }

  /** Every user POSTs again and again and expects a 2xx. */
  private static final Scenario POSTS =
      new Scenario() {
        @Override
        public String name() {
          return "posts";
        }

        @Override
        public UserFlow newUser(int user) {
          return new UserFlow() {
            @Override
            public HttpCall next() {
              return HttpCall.postJson("post", "/api/cart/items", "{\"sku\":\"x\"}");
            }

            @Override
            public Verdict check(HttpCall call, HttpReply reply) {
              return reply.status() == 200
                  ? Verdict.OK
                  : Verdict.error("200", Integer.toString(reply.status()));
            }

            @Override
            public void failed(HttpCall call) {}
          };
        }
      };

  @Test
  void inFlightPostsAtAKillAreAllowedAndTheStartReportsItsRePin() throws Exception {
    int appPort = startApp();
    int adminPort = startAdmin();
    LoadSettings s =
        new LoadSettings(
            LoadTarget.parse("http://127.0.0.1:" + appPort),
            3,
            Duration.ofMillis(2500),
            null,
            Duration.ofSeconds(5),
            1);
    List<ChaosAction> actions =
        ChaosSchedule.parse("at=300ms kill s1; at=1500ms start-killed; at=2s add s9=127.0.0.1:9");
    AdminClient client = new AdminClient(URI.create("http://127.0.0.1:" + adminPort + "/"), null);
    LoadReport r =
        LoadRunner.run(
            new LoadRunner.Options(
                s,
                POSTS,
                hooks -> new ChaosRunner(actions, client, "web", hooks, System::nanoTime),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                false));

    assertThat(adminCalls)
        .containsExactly(
            "POST /api/demo/instances/s1/kill",
            "POST /api/demo/instances/s1/start",
            "POST /api/pools/web/servers");
    assertThat(r.failuresAtKill())
        .as("the three users' POSTs in flight on s1 at the kill")
        .isEqualTo(3);
    assertThat(r.failures()).as("502s after the kill, before the start").isPositive();
    assertThat(r.chaos()).hasSize(3);
    assertThat(r.chaos().get(0).rePinMillis())
        .as("nobody was served between the kill and the start")
        .isNull();
    assertThat(r.chaos().get(1).target()).isEqualTo("s1");
    assertThat(r.chaos().get(1).rePinMillis()).isNotNull().isLessThan(1000L);
    assertThat(r.chaos().get(2).status()).isEqualTo(404);
    assertThat(r.chaos().get(2).message()).startsWith("the admin API has no add-server endpoint");
  }
}
