package dev.tether.proxy.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Drain over real sockets: {@link ControlPlane} from YAML with a token-protected admin API in front
 * of three real backends. Sticky clients of a drained server keep working while new ones go
 * elsewhere, and the drain endpoint turns done once their sessions idle out; a WebSocket on a
 * server draining in mode hard gets close code 1001 between two frames of a busy stream, and its
 * client reconnects to another server.
 */
@ExtendWith(LeakDetection.class)
class DrainIntegrationTest {

  private static final String TOKEN = "drain-test-token-0123456789";
  private final List<TestBackend> backends = new ArrayList<>();
  private final List<HttpClient> clients = new ArrayList<>();
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient adminClient =
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
    // Each user has an address of its own (X-Forwarded-For from a trusted loopback), so that the
    // first-request window, which keeps one address's unbound requests together, does not.
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\ntrusted-proxies: [127.0.0.1]\nadmin: { listen: 127.0.0.1:0, token: "
            + TOKEN
            + " }\n"
            + "pools:\n"
            + "  web:\n    affinity: { mode: cookie, idle-timeout: 2s, refresh-interval: 1s }\n    servers:\n"
            + servers
            + "  chat:\n    affinity: { mode: cookie }\n    drain: { mode: hard, tunnel-close-rate: 5/s }\n    servers:\n"
            + servers
            + "routes:\n  - { path-prefix: /ws, pool: chat }\n  - { path-prefix: /, pool: web }\n";
    this.yaml = yaml;
    tether =
        ControlPlane.start(ConfigLoader.parse(yaml, "drain.yaml", Map.<String, String>of()::get));
  }

  private String yaml;

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
    clients.forEach(HttpClient::close);
    adminClient.close();
  }

  /** One user: a client with its own cookie jar and its own address. */
  private record User(HttpClient client, String address) {}

  private int users;

  private User user() {
    HttpClient c =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(new CookieManager())
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    clients.add(c);
    return new User(c, "10.0.0." + (++users));
  }

  private URI proxy(String path) {
    return URI.create("http://127.0.0.1:" + tether.proxy().port() + path);
  }

  /** The server that answered {@code user}'s GET of {@code path}. */
  private String get(User user, String path) throws Exception {
    HttpResponse<String> r =
        user.client()
            .send(
                HttpRequest.newBuilder(proxy(path))
                    .header("X-Forwarded-For", user.address())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("X-Server").orElseThrow();
  }

  private HttpResponse<String> admin(String method, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.admin().port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return adminClient.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode ok(String method, String path) throws Exception {
    HttpResponse<String> r = admin(method, path, TOKEN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  @Test
  void stickyClientsKeepWorkingNewOnesGoElsewhereAndTheDrainEndsWhenTheyIdleOut() throws Exception {
    List<User> onS2 = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      User u = user();
      if (get(u, "/").equals("s2")) {
        onS2.add(u);
      }
    }
    assertThat(onS2).as("round robin puts two of six on s2").hasSize(2);

    JsonNode started = ok("POST", "/api/pools/web/servers/s2/drain?deadline=10m");
    assertThat(started.get("state").asText()).isEqualTo("DRAINING");
    assertThat(started.get("done").asBoolean()).isFalse();
    assertThat(started.get("sessions").asLong()).isEqualTo(2);
    assertThat(started.get("mode").asText()).isEqualTo("soft");
    assertThat(started.get("deadline").asText()).isNotEmpty();
    assertThat(started.get("since").asText()).isNotEmpty();

    for (int i = 0; i < 3; i++) {
      for (User u : onS2) {
        assertThat(get(u, "/")).as("a sticky client stays on the draining server").isEqualTo("s2");
      }
    }
    for (int i = 0; i < 6; i++) {
      assertThat(get(user(), "/")).as("no new session on s2").isNotEqualTo("s2");
    }
    JsonNode listed = ok("GET", "/api/pools/web/servers");
    JsonNode s2 = null;
    for (JsonNode s : listed.get("servers")) {
      if (s.get("name").asText().equals("s2")) {
        s2 = s;
      }
    }
    assertThat(s2.get("sessions").asLong()).isEqualTo(2);
    assertThat(s2.get("tunnels").asInt()).isZero();
    assertThat(s2.get("inFlight").asInt()).isZero();
    assertThat(ok("GET", "/api/pools/web/servers/s2/drain").get("done").asBoolean()).isFalse();

    // The two clients stop; their sessions idle out after 2 s.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> ok("GET", "/api/pools/web/servers/s2/drain").get("done").asBoolean());
    JsonNode done = ok("GET", "/api/pools/web/servers/s2/drain");
    assertThat(done.get("sessions").asLong()).isZero();
    assertThat(done.get("inFlight").asInt()).isZero();
    assertThat(done.get("overdue").asBoolean()).isFalse();
  }

  @Test
  void everyMistakeGetsItsStatusAndAMessage() throws Exception {
    assertThat(admin("GET", "/api/pools/web/servers/s1/drain", null).statusCode()).isEqualTo(401);
    assertThat(admin("POST", "/api/pools/web/servers/s1/drain", "wrong-token").statusCode())
        .isEqualTo(401);
    assertThat(tether.pool("web").snapshot().member("s1").state().name())
        .as("nothing changed")
        .isEqualTo("UP");

    HttpResponse<String> bad =
        admin("POST", "/api/pools/web/servers/s1/drain?deadline=soon", TOKEN);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json.readTree(bad.body()).get("error").asText())
        .isEqualTo(
            "deadline: 'soon' is not a duration; use a number with ms, s, m, h or d, e.g. 2s");
    HttpResponse<String> unknown =
        admin("POST", "/api/pools/web/servers/s1/drain?timeout=1m", TOKEN);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("unknown parameter 'timeout'");
    assertThat(tether.pool("web").snapshot().member("s1").state().name()).isEqualTo("UP");

    HttpResponse<String> pool = admin("GET", "/api/pools/nope/servers/s1/drain", TOKEN);
    assertThat(pool.statusCode()).isEqualTo(404);
    assertThat(json.readTree(pool.body()).get("error").asText())
        .isEqualTo("no pool 'nope'; pools: [chat, web]");
    HttpResponse<String> server = admin("POST", "/api/pools/web/servers/s9/drain", TOKEN);
    assertThat(server.statusCode()).isEqualTo(404);
    assertThat(json.readTree(server.body()).get("error").asText())
        .isEqualTo("pool web has no server 's9'");

    HttpResponse<String> notDraining = admin("GET", "/api/pools/web/servers/s1/drain", TOKEN);
    assertThat(notDraining.statusCode()).isEqualTo(409);
    assertThat(json.readTree(notDraining.body()).get("state").asText()).isEqualTo("UP");
    assertThat(json.readTree(notDraining.body()).get("error").asText()).contains("is not draining");

    HttpResponse<String> put = admin("PUT", "/api/pools/web/servers/s1/drain", TOKEN);
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("Allow")).contains("GET, POST");
  }

  @Test
  void aReloadAppliesANewDrainModeAndKeepsTheDrainAndItsTunnels() throws Exception {
    User user = user();
    Collector c = new Collector();
    WebSocket ws = open(user, c);
    ws.sendText("hi", true).get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> !c.messages.isEmpty());
    String home = c.server();
    JsonNode started = ok("POST", "/api/pools/chat/servers/" + home + "/drain?deadline=1h");
    await().atMost(Duration.ofSeconds(10)).until(() -> c.closed.isDone());

    // chat goes soft, web goes hard: the affinity policies (unchanged sections, so kept) follow.
    tether.reload(
        ConfigLoader.parse(
            yaml.replace("drain: { mode: hard, tunnel-close-rate: 5/s }", "drain: { mode: soft }")
                .replace(
                    "    affinity: { mode: cookie, idle-timeout: 2s, refresh-interval: 1s }\n",
                    "    affinity: { mode: cookie, idle-timeout: 2s, refresh-interval: 1s }\n    drain: { mode: hard }\n"),
            "drain.yaml",
            Map.<String, String>of()::get));
    assertThat(tether.affinity("web").drainRules().mode())
        .isEqualTo(dev.tether.balance.affinity.DrainMode.HARD);
    assertThat(tether.affinity("chat").drainRules().mode())
        .isEqualTo(dev.tether.balance.affinity.DrainMode.SOFT);
    JsonNode after = ok("GET", "/api/pools/chat/servers/" + home + "/drain");
    assertThat(after.get("mode").asText()).isEqualTo("soft");
    assertThat(after.get("since").asText())
        .as("the drain goes on")
        .isEqualTo(started.get("since").asText());
    assertThat(after.get("deadline").asText()).isEqualTo(started.get("deadline").asText());

    // Soft: a new WebSocket of the same user comes back to the draining server and stays open.
    Collector again = new Collector();
    WebSocket back = open(user, again);
    back.sendText("back", true).get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> !again.messages.isEmpty());
    assertThat(again.server()).isEqualTo(home);
    assertThat(ok("GET", "/api/pools/chat/servers/" + home + "/drain").get("tunnels").asInt())
        .isEqualTo(1);
    back.abort();
  }

  /** Collects a WebSocket's whole text messages and how it ended. */
  private static final class Collector implements WebSocket.Listener {
    final List<String> messages = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final CompletableFuture<Throwable> failed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      failed.complete(error);
    }

    /** The server that echoed the last message. */
    String server() {
      String last = messages.getLast();
      return last.substring(0, last.indexOf(':'));
    }
  }

  private WebSocket open(User user, Collector c) throws Exception {
    return user.client()
        .newWebSocketBuilder()
        .header("X-Forwarded-For", user.address())
        .buildAsync(URI.create("ws://127.0.0.1:" + tether.proxy().port() + "/ws"), c)
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void aWebSocketOnAHardDrainedServerGetsGoingAwayBetweenFramesAndReconnectsElsewhere()
      throws Exception {
    User user = user();
    String home = get(user, "/ws/page"); // binds the user's chat session
    Collector c = new Collector();
    WebSocket ws = open(user, c);
    ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> !c.messages.isEmpty());
    assertThat(c.server()).as("the upgrade follows the session").isEqualTo(home);

    User other = user();
    Collector bystander = new Collector();
    WebSocket otherWs = null;
    for (int i = 0; i < 6 && otherWs == null; i++) {
      Collector probe = new Collector();
      WebSocket w = open(other, probe);
      w.sendText("who", true).get(5, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> !probe.messages.isEmpty());
      if (!probe.server().equals(home)) {
        otherWs = w;
        bystander.messages.addAll(probe.messages);
      } else {
        w.abort();
      }
    }
    assertThat(otherWs).as("a WebSocket on another server").isNotNull();
    JsonNode servers = ok("GET", "/api/pools/chat/servers");
    int tunnels = 0;
    for (JsonNode s : servers.get("servers")) {
      if (s.get("name").asText().equals(home)) {
        tunnels = s.get("tunnels").asInt();
      }
    }
    assertThat(tunnels).isEqualTo(1);

    // Keep 16 kB echoes flowing (the JDK client sends a longer text as several frames, which the
    // test backend does not echo whole) so that the close lands while frames are in flight.
    String payload = "x".repeat(16_000);
    Thread sender =
        Thread.ofVirtual()
            .start(
                () -> {
                  for (int i = 0; !c.closed.isDone(); i++) {
                    try {
                      ws.sendText(payload + i, true).get(5, TimeUnit.SECONDS);
                    } catch (Exception e) {
                      return; // the close arrived: no more sending
                    }
                  }
                });
    await().atMost(Duration.ofSeconds(10)).until(() -> c.messages.size() > 20);
    JsonNode started = ok("POST", "/api/pools/chat/servers/" + home + "/drain");
    assertThat(started.get("mode").asText()).isEqualTo("hard");
    assertThat(c.closed.get(10, TimeUnit.SECONDS)).as("Going Away").isEqualTo(1001);
    sender.join(Duration.ofSeconds(10));
    assertThat(c.failed).as("no protocol error: the close came between frames").isNotDone();
    for (String m : c.messages.subList(1, c.messages.size())) {
      assertThat(m).startsWith(home + ": " + payload);
      assertThat(m.substring(home.length() + 2 + payload.length()))
          .as("the message number")
          .matches("\\d+");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                ok("GET", "/api/pools/chat/servers/" + home + "/drain").get("tunnels").asInt()
                    == 0);

    Collector again = new Collector();
    WebSocket back = open(user, again);
    back.sendText("back", true).get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> !again.messages.isEmpty());
    assertThat(again.server()).as("re-pinned at its next request").isNotEqualTo(home);

    otherWs.sendText("still here", true).get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> bystander.messages.size() >= 1);
    assertThat(bystander.failed).isNotDone();
    back.abort();
    otherWs.abort();
  }
}
