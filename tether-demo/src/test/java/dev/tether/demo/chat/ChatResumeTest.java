package dev.tether.demo.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The chat's side of a resumed managed WebSocket, without sockets: rooms of two instances over one
 * bus, a connection recorded on the first, resumed on the second with the balancer's count of what
 * the client really received.
 */
class ChatResumeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID = "A".repeat(43);
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final LocalChatBus bus = new LocalChatBus();

  private static JsonNode json(String frame) {
    try {
      return JSON.readTree(frame);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> texts(List<String> frames) {
    return frames.stream()
        .map(f -> json(f).path("text").asText("<" + json(f).fieldNames().next() + ">"))
        .toList();
  }

  @Test
  void aResumedConnectionGetsExactlyTheMessagesItsClientMissed() {
    ChatRoom s1 = new ChatRoom("s1", bus, clock);
    List<String> toBob = new ArrayList<>();
    ChatRoom.Member bob = s1.join("bob", toBob::add);
    bob.say("m1");
    List<String> toAlice = new ArrayList<>();
    ChatRoom.Member alice = s1.join("alice", toAlice::add, ID, null);
    alice.sendOther("{\"error\": \"bad frame\"}");
    bob.say("m2");
    bob.say("m3");
    assertThat(texts(toAlice)).containsExactly("m1", "<error>", "m2", "m3");
    assertThat(json(toAlice.getFirst()).get("history").asBoolean()).isTrue();

    // s1 dies; the balancer delivered 3 of the 4 frames (m3 was lost in flight), and m4 is said
    // while the connection is being moved.
    s1.close(); // (a local bus has one subscriber: the dead instance's goes first)
    ChatRoom s2 = new ChatRoom("s2", bus, clock);
    bus.publish(ChatMessage.create("bob", "m4", "s2", 1, clock.millis()));
    List<String> resumed = new ArrayList<>();
    s2.join("alice", resumed::add, ID, new Resume(ID, 0, 3));
    assertThat(texts(resumed)).containsExactly("m3", "m4");
    assertThat(resumed)
        .allSatisfy(
            f -> {
              assertThat(json(f).get("missed").asBoolean()).isTrue();
              assertThat(json(f).get("instance").asText()).isEqualTo("s2");
            });
    bus.publish(ChatMessage.create("bob", "m5", "s2", 2, clock.millis()));
    assertThat(texts(resumed)).containsExactly("m3", "m4", "m5");
    assertThat(json(resumed.getLast()).has("missed")).isFalse();

    // a second move: the log now says what this connection has, across both instances
    SentLog log = SentLog.decode(bus.sent(ID));
    assertThat(log.total()).isEqualTo(6);
    ChatRoom s3 = new ChatRoom("s3", bus, clock);
    List<String> again = new ArrayList<>();
    s3.join("alice", again::add, ID, new Resume(ID, 0, 6));
    assertThat(again).isEmpty();
  }

  @Test
  void aResumeWithoutALogOfThisUserStartsAfreshWithTheBacklog() {
    ChatRoom s1 = new ChatRoom("s1", bus, clock);
    ChatRoom.Member bob = s1.join("bob", f -> {}, ID, null);
    bob.say("m1");
    List<String> mallory = new ArrayList<>();
    s1.join("mallory", mallory::add, ID, new Resume(ID, 0, 0));
    assertThat(texts(mallory)).containsExactly("m1");
    assertThat(json(mallory.getFirst()).get("history").asBoolean()).isTrue();
    List<String> unknown = new ArrayList<>();
    String other = "B".repeat(43);
    s1.join("alice", unknown::add, other, new Resume(other, 0, 5));
    assertThat(json(unknown.getFirst()).get("history").asBoolean()).isTrue();
  }

  @Test
  void theLogKeepsItsTailAndCutsWhereTheClientStopped() {
    SentLog log = SentLog.empty("alice");
    for (int i = 0; i < SentLog.KEEP + 5; i++) {
      log = log.append("id" + i);
    }
    assertThat(log.total()).isEqualTo(SentLog.KEEP + 5);
    assertThat(log.dropped()).isEqualTo(5);
    assertThat(log.entries().getFirst()).isEqualTo("id5");
    SentLog cut = log.upTo(10);
    assertThat(cut.total()).isEqualTo(10);
    assertThat(cut.messageIds())
        .containsExactly(IntStream.range(5, 10).mapToObj(i -> "id" + i).toArray(String[]::new));
    assertThat(log.upTo(3).total()).isEqualTo(3);
    assertThat(log.upTo(1000)).isSameAs(log);
    assertThat(SentLog.decode(cut.encode())).isEqualTo(cut);
  }

  @Test
  void theResumeHeaderIsParsedStrictly() {
    assertThat(Resume.parse(ID + "; received=12; sent=7")).isEqualTo(new Resume(ID, 12, 7));
    assertThat(Resume.parse(" " + ID + ";received=0;sent=0 ")).isEqualTo(new Resume(ID, 0, 0));
    assertThat(Resume.parse("short; received=1; sent=1")).isNull();
    assertThat(Resume.parse(ID + "; sent=1; received=1")).isNull();
    assertThat(Resume.parse(null)).isNull();
    assertThat(Resume.id(ID)).isEqualTo(ID);
    assertThat(Resume.id("not an id")).isNull();
  }
}
