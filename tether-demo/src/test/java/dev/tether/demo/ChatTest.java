package dev.tether.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The chat room over WebSocket, carried between instances by each store's own means. */
class ChatTest {

  static Stream<Arguments> stores() {
    return Stream.of(
        Arguments.of(
            "grid", (Supplier<DemoSettings>) () -> DemoSettings.defaults().withInstances(2)),
        Arguments.of(
            "redis",
            (Supplier<DemoSettings>)
                () ->
                    DemoSettings.defaults()
                        .withInstances(2)
                        .withStore(StoreKind.REDIS, Services.redis())
                        .withNamespace(Services.namespace())),
        Arguments.of(
            "jdbc (H2)",
            (Supplier<DemoSettings>)
                () -> DemoSettings.defaults().withInstances(2).withStore(StoreKind.JDBC, null)),
        Arguments.of(
            "file",
            (Supplier<DemoSettings>)
                () -> DemoSettings.defaults().withInstances(2).withStore(StoreKind.FILE, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void messagesCrossInstancesAndReconnectsGetTheHistoryFirst(
      String name, Supplier<DemoSettings> settings) {
    try (DemoCluster demo = DemoCluster.start(settings.get());
        Shopper alice = new Shopper();
        Shopper bob = new Shopper()) {
      DemoInstance s1 = demo.instance("s1");
      DemoInstance s2 = demo.instance("s2");
      alice.login(s1, "alice");
      bob.login(s2, "bob");
      try (Shopper.Chat a = alice.chat(s1).ready();
          Shopper.Chat b = bob.chat(s2).ready()) {
        a.say("hello from alice");
        for (Shopper.Chat c : List.of(a, b)) {
          JsonNode m = c.next();
          assertThat(m.get("user").asText()).isEqualTo("alice");
          assertThat(m.get("text").asText()).isEqualTo("hello from alice");
          assertThat(m.get("origin").asText()).isEqualTo("s1");
          assertThat(m.has("history")).isFalse();
        }
        b.say("hi alice");
        JsonNode toA = a.next();
        JsonNode toB = b.next();
        assertThat(toA.get("user").asText()).isEqualTo("bob");
        assertThat(toA.get("instance").asText())
            .isEqualTo("s1"); // the instance of the receiving socket
        assertThat(toB.get("instance").asText()).isEqualTo("s2");
        assertThat(toB.get("text").asText()).isEqualTo("hi alice");

        b.socket.sendText("not json", true).join();
        JsonNode error = b.next();
        assertThat(error.get("error").asText()).contains("{\"text\": \"...\"}");
        b.socket.sendText("{\"text\": \"   \"}", true).join();
        assertThat(b.next().get("error").asText()).contains("1 to 500 characters");
        b.say("{not a message");
        assertThat(a.next().get("text").asText()).isEqualTo("{not a message");
        assertThat(b.next().get("text").asText()).isEqualTo("{not a message");
      }
      // bob reconnects, to the other instance this time: the backlog comes first, in order
      try (Shopper.Chat again = bob.chat(s1)) {
        List<JsonNode> backlog = again.next(3);
        assertThat(backlog)
            .extracting(m -> m.get("text").asText())
            .containsExactly("hello from alice", "hi alice", "{not a message");
        assertThat(backlog)
            .allSatisfy(
                m -> {
                  assertThat(m.get("history").asBoolean()).isTrue();
                  assertThat(m.get("instance").asText()).isEqualTo("s1");
                });
      }
    }
  }

  @Test
  void memoryChatStaysOnItsInstance() {
    try (DemoCluster demo =
            DemoCluster.start(
                DemoSettings.defaults().withStore(StoreKind.MEMORY, null).withInstances(2));
        Shopper alice = new Shopper()) {
      DemoInstance s1 = demo.instance("s1");
      alice.login(s1, "alice");
      try (Shopper.Chat a = alice.chat(s1)) {
        a.say("only here");
        assertThat(a.next().get("text").asText()).isEqualTo("only here");
      }
      try (Shopper.Chat here = alice.chat(s1)) {
        assertThat(here.next().get("text").asText()).isEqualTo("only here");
      }
      try (Shopper bob = new Shopper()) {
        bob.login(demo.instance("s2"), "bob");
        try (Shopper.Chat there = bob.chat(demo.instance("s2")).ready()) {
          there.say("on s2");
          // the first frame on s2 is its own message: s1's never reached it
          assertThat(there.next().get("text").asText()).isEqualTo("on s2");
        }
      }
    }
  }

  @Test
  void theHandshakeNeedsASignedInSessionFromThisSite() {
    try (DemoCluster demo =
            DemoCluster.start(
                DemoSettings.defaults().withStore(StoreKind.MEMORY, null).withInstances(1));
        Shopper stranger = new Shopper();
        Shopper alice = new Shopper()) {
      DemoInstance s1 = demo.instance("s1");
      assertThat(stranger.refusedChat(s1, null))
          .isInstanceOfSatisfying(
              WebSocketHandshakeException.class,
              e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
      stranger.get(s1, "/login"); // an anonymous session is not enough
      assertThat(stranger.cookie).isNotNull();
      assertThat(stranger.refusedChat(s1, null))
          .isInstanceOfSatisfying(
              WebSocketHandshakeException.class,
              e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));

      alice.login(s1, "alice");
      assertThat(alice.refusedChat(s1, "http://evil.example"))
          .isInstanceOfSatisfying(
              WebSocketHandshakeException.class,
              e -> assertThat(e.getResponse().statusCode()).isEqualTo(403));
      assertThat(alice.refusedChat(s1, "http://" + s1.address())).isNull();

      String cookie = alice.cookie;
      try (Shopper.Chat open = alice.chat(s1)) {
        alice.postJson(s1, "/api/logout", "{}");
        alice.cookie = cookie;
        open.say("after logout");
        // the socket of an ended session is closed (1008), the message goes nowhere
        org.awaitility.Awaitility.await().until(() -> open.socket.isInputClosed());
      }
    }
  }
}
