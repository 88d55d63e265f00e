package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.demo.DemoCluster;
import dev.tether.demo.DemoInstance;
import dev.tether.demo.DemoSettings;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.leak.LeakDetection;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo's chat behind Tether with {@code websocket: managed}, end to end: three demo instances
 * over the grid, users signed in and chatting through the balancer. The instance holding a user's
 * socket is killed; the user's socket stays open, their next message reaches the others, they
 * receive what was said during the switch exactly once, and the instance that took the socket over
 * knew it was a resume (no backlog sent again). With every instance dead, the sockets get 1013 once
 * the resume deadline has passed.
 */
@ExtendWith(LeakDetection.class)
class ChatFailoverTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One user: a cookie jar shared by HTTP and the socket's handshake. */
  private static final class User implements WebSocket.Listener {
    final String name;
    final CookieManager cookies = new CookieManager();
    final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(cookies)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder part = new StringBuilder();
    WebSocket socket;

    User(String name) {
      this.name = name;
    }

    void login(URI base) throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(base.resolve("/api/login"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"user\": \"" + name + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    void chat(URI base) {
      String cookie =
          cookies.getCookieStore().get(base).stream()
              .map(c -> c.getName() + "=" + c.getValue())
              .collect(Collectors.joining("; "));
      socket =
          http.newWebSocketBuilder()
              .header("Cookie", cookie)
              .buildAsync(URI.create("ws://" + base.getAuthority() + "/ws/chat"), this)
              .orTimeout(30, TimeUnit.SECONDS)
              .join();
      // joined once the server answers an empty frame (its open callback has run)
      socket.sendText("{}", true).join();
      JsonNode n = next();
      while (!n.has("error")) {
        assertThat(n.get("history").asBoolean()).as("only the backlog comes first: " + n).isTrue();
        n = next();
      }
    }

    void say(String text) {
      socket
          .sendText(JSON.createObjectNode().put("text", text).toString(), true)
          .orTimeout(30, TimeUnit.SECONDS)
          .join();
    }

    JsonNode next() {
      try {
        JsonNode n = frames.poll(30, TimeUnit.SECONDS);
        assertThat(n).as(name + " got a frame within 30 s").isNotNull();
        return n;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      part.append(data);
      if (last) {
        try {
          frames.add(JSON.readTree(part.toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        part.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      closed.complete(code + " " + reason);
      return null;
    }
  }

  private static String config(List<DemoInstance> instances) {
    StringBuilder servers = new StringBuilder();
    for (DemoInstance i : instances) {
      servers
          .append("      - { name: ")
          .append(i.name())
          .append(", address: ")
          .append(i.address())
          .append(" }\n");
    }
    return """
        listen: 127.0.0.1:0
        workers: 1
        timeouts: { connect: 1s }
        access-log: { enabled: false }
        pools:
          web:
            sessions: replicated
            affinity:
              mode: cookie
              cookie: { name: TETHER }
            health: { path: /healthz, interval: 1s, timeout: 1s, rise: 1, fall: 2 }
            websocket: managed
            websocket-resume-timeout: 3s
            servers:
        """
        + servers;
  }

  @Test
  void aChatSocketOutlivesItsInstanceAndGetsWhatWasSaidMeanwhile() throws Exception {
    try (DemoCluster demo = DemoCluster.start(DemoSettings.defaults())) {
      ControlPlane tether =
          ControlPlane.start(
              ConfigLoader.parse(
                  config(demo.instances()), "chat-failover.yaml", Map.<String, String>of()::get));
      List<User> users = new ArrayList<>();
      try {
        URI base = URI.create("http://127.0.0.1:" + tether.proxy().port());
        User alice = new User("alice");
        users.add(alice);
        alice.login(base);
        alice.chat(base);
        alice.say("before");
        JsonNode own = alice.next();
        assertThat(own.get("text").asText()).isEqualTo("before");
        String home = own.get("instance").asText();

        // someone chatting from another instance, which survives
        User bob = null;
        for (int i = 0; i < 12 && bob == null; i++) {
          User u = new User("bob" + i);
          users.add(u);
          u.login(base);
          u.chat(base);
          u.say("hi from " + u.name);
          JsonNode echo = u.next();
          while (!echo.path("text").asText().equals("hi from " + u.name)) {
            echo = u.next(); // the backlog first
          }
          assertThat(alice.next().get("text").asText()).isEqualTo("hi from " + u.name);
          if (!echo.get("instance").asText().equals(home)) {
            bob = u;
          }
        }
        assertThat(bob).as("a user on another instance than " + home).isNotNull();

        demo.kill(home);
        bob.say("during 1");
        bob.say("during 2");
        assertThat(List.of(bob.next().get("text").asText(), bob.next().get("text").asText()))
            .containsExactly("during 1", "during 2");
        alice.say("after");
        JsonNode toBob = bob.next();
        assertThat(toBob.get("text").asText())
            .as("alice's next message reaches the others")
            .isEqualTo("after");
        assertThat(toBob.get("user").asText()).isEqualTo("alice");
        String newHome = toBob.get("origin").asText();
        assertThat(newHome).isNotEqualTo(home);

        List<JsonNode> toAlice = List.of(alice.next(), alice.next(), alice.next());
        assertThat(toAlice)
            .extracting(n -> n.get("text").asText())
            .containsExactly("during 1", "during 2", "after");
        assertThat(toAlice)
            .allSatisfy(
                n -> {
                  assertThat(n.has("history"))
                      .as("a resume, not a new socket given the backlog: " + n)
                      .isFalse();
                  assertThat(n.get("instance").asText()).isEqualTo(newHome);
                });
        assertThat(alice.frames).as("nothing twice").isEmpty();
        assertThat(alice.closed).isNotDone();

        // Every instance dead: no server accepts within the deadline.
        for (DemoInstance i : demo.instances()) {
          if (i.running()) {
            demo.kill(i.name());
          }
        }
        alice.say("anyone?");
        assertThat(alice.closed.get(30, TimeUnit.SECONDS))
            .isEqualTo("1013 no server accepted the connection within 3000 ms");
        assertThat(bob.closed.get(30, TimeUnit.SECONDS)).startsWith("1013 ");
      } finally {
        for (User u : users) {
          if (u.socket != null) {
            u.socket.abort();
          }
          u.http.close();
        }
        tether.stop(Duration.ofSeconds(2));
      }
    }
  }
}
