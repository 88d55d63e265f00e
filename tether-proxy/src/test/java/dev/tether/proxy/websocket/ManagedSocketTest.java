package dev.tether.proxy.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.WebSocketConfig;
import dev.tether.proxy.tunnel.TunnelRegistry;
import dev.tether.testing.leak.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The managed WebSocket's relay, socket-free: client and backends are {@link EmbeddedChannel}s
 * carrying frame objects (the codecs are Netty's own), time is the embedded loop's, and the dialer
 * is a stand-in that records each resume header and lets the test accept or refuse. Paranoid leak
 * detection fails any test that leaves a frame unreleased, on every path: held, resent, bounded
 * out.
 */
@ExtendWith(LeakDetection.class)
class ManagedSocketTest {

  private static final WebSocketConfig CONFIG =
      new WebSocketConfig(
          WebSocketConfig.Mode.MANAGED, 4, 1024, Duration.ofSeconds(10), Duration.ofSeconds(30));

  /** Records every dial; the test answers through {@link #accept} or {@link #refuse}. */
  private static final class StandInDialer implements Dialer {
    final List<String> resumes = new ArrayList<>();
    Callback pending;
    boolean refuseAll;
    int cancels;

    @Override
    public void dial(String resume, Callback callback) {
      resumes.add(resume);
      if (refuseAll) {
        callback.refused("test: every server is down");
      } else {
        pending = callback;
      }
    }

    @Override
    public void cancel() {
      cancels++;
    }

    void accept(Channel ch, String server) {
      Callback c = pending;
      pending = null;
      c.accepted(ch, server);
    }
  }

  private final List<EmbeddedChannel> channels = new ArrayList<>();
  private final StandInDialer dialer = new StandInDialer();
  private final TunnelRegistry registry = new TunnelRegistry();
  private EmbeddedChannel client;
  private ManagedWebSocket ws;

  private EmbeddedChannel channel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    channels.add(ch);
    return ch;
  }

  private EmbeddedChannel open(WebSocketConfig config) {
    client = channel();
    client.freezeTime();
    ws = new ManagedWebSocket(client, config, dialer, registry, "conn-1");
    EmbeddedChannel b1 = channel();
    ws.attach(b1, "s1");
    client.runPendingTasks();
    return b1;
  }

  @AfterEach
  void releaseEverything() {
    for (EmbeddedChannel ch : channels) {
      ch.finishAndReleaseAll();
    }
  }

  private static TextWebSocketFrame text(String s) {
    return new TextWebSocketFrame(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
  }

  /**
   * Reads every frame written to {@code ch}, as {@code text:...}, {@code close:code:reason}, etc.,
   * releasing them.
   */
  private static List<String> written(EmbeddedChannel ch) {
    List<String> out = new ArrayList<>();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      out.add(describe(o));
      ReferenceCountUtil.release(o);
    }
    return out;
  }

  private static String describe(Object o) {
    return switch (o) {
      case CloseWebSocketFrame c -> "close:" + c.statusCode() + ":" + c.reasonText();
      case PingWebSocketFrame p -> "ping:" + p.content().readableBytes();
      case PongWebSocketFrame p -> "pong:" + p.content().toString(StandardCharsets.UTF_8);
      case ContinuationWebSocketFrame c ->
          "cont" + (c.isFinalFragment() ? "-fin" : "") + ":" + c.text();
      case TextWebSocketFrame t -> (t.isFinalFragment() ? "text:" : "text-part:") + t.text();
      case BinaryWebSocketFrame b -> "binary:" + b.content().readableBytes();
      case ByteBuf b -> "bytes:" + b.readableBytes();
      default -> o.toString();
    };
  }

  /**
   * A client frame that arrives in a read whose end has not come yet: written to the backend, not
   * flushed.
   */
  private void unflushedFromClient(WebSocketFrame f) {
    client.pipeline().fireChannelRead(f);
  }

  @Test
  void relaysMessagesBothWaysAndCountsThem() {
    EmbeddedChannel b1 = open(CONFIG);
    client.writeInbound(text("hello"));
    client.writeInbound(new BinaryWebSocketFrame(Unpooled.copiedBuffer(new byte[] {1, 2, 3})));
    assertThat(written(b1)).containsExactly("text:hello", "binary:3");
    b1.writeInbound(text("welcome"));
    assertThat(written(client)).containsExactly("text:welcome");
    assertThat(ws.received()).isEqualTo(2);
    assertThat(ws.sent()).isEqualTo(1);
    assertThat(ws.server()).isEqualTo("s1");
    assertThat(registry.count("s1")).isEqualTo(1);
  }

  @Test
  void aLostBackendIsReplacedWithTheCountsAndTheMessagesThatArrivedMeanwhileInOrderOnce() {
    EmbeddedChannel b1 = open(CONFIG);
    client.writeInbound(text("m1"));
    client.writeInbound(text("m2"));
    b1.writeInbound(text("r1"));
    assertThat(written(b1)).containsExactly("text:m1", "text:m2");
    assertThat(written(client)).containsExactly("text:r1");

    b1.close();
    assertThat(dialer.resumes).containsExactly("conn-1; received=2; sent=1");
    assertThat(ws.server()).isNull();
    client.writeInbound(text("m3"));
    client.writeInbound(text("m4"));
    assertThat(registry.count("s1")).isZero();

    EmbeddedChannel b2 = channel();
    dialer.accept(b2, "s2");
    client.runPendingTasks();
    assertThat(written(b2)).containsExactly("text:m3", "text:m4");
    client.writeInbound(text("m5"));
    assertThat(written(b2)).containsExactly("text:m5");
    b2.writeInbound(text("r2"));
    assertThat(written(client))
        .as("the client saw no close, only messages")
        .containsExactly("text:r2");
    assertThat(ws.received()).isEqualTo(5);
    assertThat(ws.sent()).isEqualTo(2);
    assertThat(ws.resumes()).isEqualTo(1);
    assertThat(registry.count("s2")).isEqualTo(1);
  }

  @Test
  void framesWhoseWriteNeverCompletedGoToTheNextServerAndAreNotCounted() {
    EmbeddedChannel b1 = open(CONFIG);
    client.writeInbound(text("m1"));
    assertThat(written(b1)).containsExactly("text:m1");
    // m2 (a whole message in two fragments) was written but never flushed: it never reached s1.
    unflushedFromClient(
        new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer("m2a", StandardCharsets.UTF_8)));
    unflushedFromClient(
        new ContinuationWebSocketFrame(
            true, 0, Unpooled.copiedBuffer("m2b", StandardCharsets.UTF_8)));
    b1.close();
    assertThat(written(b1)).isEmpty();
    assertThat(dialer.resumes).containsExactly("conn-1; received=1; sent=0");
    EmbeddedChannel b2 = channel();
    dialer.accept(b2, "s2");
    client.runPendingTasks();
    assertThat(written(b2)).containsExactly("text-part:m2a", "cont-fin:m2b");
    assertThat(ws.received()).isEqualTo(2);
  }

  @Test
  void aRefusedServerIsFollowedByAnotherAttemptAfterABackoff() {
    EmbeddedChannel b1 = open(CONFIG);
    b1.close();
    assertThat(dialer.resumes).hasSize(1);
    Dialer.Callback first = dialer.pending;
    dialer.pending = null;
    first.refused("test: s2 refused");
    client.advanceTimeBy(49, TimeUnit.MILLISECONDS);
    client.runScheduledPendingTasks();
    assertThat(dialer.resumes).hasSize(1);
    client.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    client.runScheduledPendingTasks();
    assertThat(dialer.resumes).hasSize(2);
    // an answer to an attempt already given up is ignored; the live one is taken
    first.accepted(channel(), "late");
    EmbeddedChannel b3 = channel();
    dialer.accept(b3, "s3");
    client.runPendingTasks();
    assertThat(ws.server()).isEqualTo("s3");
  }

  @Test
  void pastTheMessageBoundTheClientGets1013AndNothingIsKept() {
    EmbeddedChannel b1 = open(CONFIG);
    b1.close();
    for (int i = 1; i <= 4; i++) {
      client.writeInbound(text("held" + i));
    }
    assertThat(written(client)).isEmpty();
    client.writeInbound(text("one too many"));
    assertThat(written(client))
        .containsExactly(
            "close:1013:more than 4 messages arrived while the server was being replaced");
    assertThat(dialer.cancels).isPositive();
    // a late acceptance finds the connection closed and lets the new backend go
    EmbeddedChannel late = channel();
    dialer.accept(late, "s2");
    assertThat(late.isActive()).isFalse();
    client.writeInbound(new CloseWebSocketFrame(1013, ""));
    assertThat(client.isActive()).as("closed at the client's answer").isFalse();
  }

  @Test
  void pastTheByteBoundTheClientGets1013() {
    EmbeddedChannel b1 = open(CONFIG);
    b1.close();
    client.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[1000])));
    assertThat(written(client)).isEmpty();
    client.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[25])));
    assertThat(written(client))
        .containsExactly(
            "close:1013:more than 1024 bytes arrived while the server was being replaced");
  }

  @Test
  void whenNoServerAcceptsWithinTheDeadlineTheClientGets1013() {
    dialer.refuseAll = true;
    EmbeddedChannel b1 = open(CONFIG);
    b1.close();
    client.writeInbound(text("waiting"));
    for (int ms = 0; ms < 9_999; ms += 1) {
      client.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      client.runScheduledPendingTasks();
    }
    assertThat(written(client)).isEmpty();
    int attempts = dialer.resumes.size();
    // 50, 100, 200, 400, 800 ms, then every second: 1 + 5 + 8 attempts by 9.999 s
    assertThat(attempts).as("tried again and again, backing off").isEqualTo(14);
    client.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    client.runScheduledPendingTasks();
    assertThat(written(client))
        .containsExactly("close:1013:no server accepted the connection within 10000 ms");
    client.advanceTimeBy(10, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertThat(dialer.resumes).as("no attempt after giving up").hasSize(attempts);
    assertThat(client.isActive()).as("closed after the grace period").isFalse();
  }

  @Test
  void aBackendLostInTheMiddleOfAClientMessageCloses1011() {
    EmbeddedChannel b1 = open(CONFIG);
    client.writeInbound(
        new TextWebSocketFrame(
            false, 0, Unpooled.copiedBuffer("first half", StandardCharsets.UTF_8)));
    assertThat(written(b1)).containsExactly("text-part:first half");
    b1.close();
    assertThat(written(client))
        .containsExactly("close:1011:the server was lost in the middle of your message");
    assertThat(dialer.resumes).isEmpty();
    client.writeInbound(
        new ContinuationWebSocketFrame(
            true, 0, Unpooled.copiedBuffer("second half", StandardCharsets.UTF_8)));
    assertThat(written(client)).isEmpty();
  }

  @Test
  void aBackendLostInTheMiddleOfAMessageToTheClientCloses1011() {
    EmbeddedChannel b1 = open(CONFIG);
    b1.writeInbound(
        new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer("par", StandardCharsets.UTF_8)));
    b1.close();
    assertThat(written(client))
        .containsExactly(
            "text-part:par", "close:1011:the server was lost in the middle of a message to you");
    assertThat(ws.sent()).isZero();
  }

  @Test
  void tetherPingsTheClientAndAnswersEveryPingItself() {
    EmbeddedChannel b1 = open(CONFIG);
    client.advanceTimeBy(30, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertThat(written(client)).containsExactly("ping:8");
    client.writeInbound(new PongWebSocketFrame(Unpooled.copyLong(1)));
    client.writeInbound(
        new PingWebSocketFrame(Unpooled.copiedBuffer("are you there", StandardCharsets.UTF_8)));
    assertThat(written(client)).containsExactly("pong:are you there");
    assertThat(written(b1)).as("neither the pong nor the ping reached the server").isEmpty();
    b1.writeInbound(
        new PingWebSocketFrame(Unpooled.copiedBuffer("server ping", StandardCharsets.UTF_8)));
    assertThat(written(b1)).containsExactly("pong:server ping");
    assertThat(written(client)).isEmpty();
    client.advanceTimeBy(30, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertThat(written(client)).containsExactly("ping:8");
    assertThat(ws.received()).isZero();
  }

  @Test
  void noPingsWhenTurnedOff() {
    open(
        new WebSocketConfig(
            WebSocketConfig.Mode.MANAGED, 4, 1024, Duration.ofSeconds(10), Duration.ZERO));
    client.advanceTimeBy(10, TimeUnit.MINUTES);
    client.runScheduledPendingTasks();
    assertThat(written(client)).isEmpty();
  }

  @Test
  void aServerGoingAwayIsALossNotTheEndOfTheConversation() {
    EmbeddedChannel b1 = open(CONFIG);
    b1.writeInbound(new CloseWebSocketFrame(1001, "shutting down"));
    assertThat(written(b1)).containsExactly("close:1001:");
    assertThat(written(client)).isEmpty();
    assertThat(dialer.resumes).containsExactly("conn-1; received=0; sent=0");
  }

  @Test
  void aDrainMovesTheConnectionWithoutTellingTheClient() {
    EmbeddedChannel b1 = open(CONFIG);
    client.writeInbound(text("before"));
    assertThat(written(b1)).containsExactly("text:before");
    registry.of("s1").getFirst().goAway();
    client.runPendingTasks();
    assertThat(registry.of("s1").getFirst().goingAway()).isTrue();
    assertThat(written(b1)).containsExactly("close:1001:moving to another server");
    client.writeInbound(text("during"));
    b1.writeInbound(text("last words"));
    assertThat(written(client))
        .as("what the server sent before its close is relayed")
        .containsExactly("text:last words");
    assertThat(written(b1)).as("nothing after the close").isEmpty();
    b1.writeInbound(new CloseWebSocketFrame(1001, ""));
    assertThat(b1.isActive()).isFalse();
    assertThat(dialer.resumes).containsExactly("conn-1; received=1; sent=1");
    EmbeddedChannel b2 = channel();
    dialer.accept(b2, "s2");
    client.runPendingTasks();
    assertThat(written(b2)).containsExactly("text:during");
    assertThat(written(client)).isEmpty();
  }

  @Test
  void aDrainedServerThatNeverAnswersItsCloseIsLetGo() {
    EmbeddedChannel b1 = open(CONFIG);
    registry.of("s1").getFirst().goAway();
    client.runPendingTasks();
    written(b1);
    client.advanceTimeBy(5, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertThat(b1.isActive()).isFalse();
    assertThat(dialer.resumes).hasSize(1);
  }

  @Test
  void aCloseFromEitherSideEndsTheConversation() {
    EmbeddedChannel b1 = open(CONFIG);
    client.writeInbound(new CloseWebSocketFrame(1000, "bye"));
    assertThat(written(b1)).containsExactly("close:1000:bye");
    b1.writeInbound(new CloseWebSocketFrame(1000, "bye"));
    assertThat(written(client)).containsExactly("close:1000:bye");
    assertThat(client.isActive()).isFalse();
    assertThat(b1.isActive()).isFalse();
    assertThat(dialer.resumes).isEmpty();

    dialer.resumes.clear();
    EmbeddedChannel b2 = open(CONFIG);
    b2.writeInbound(new CloseWebSocketFrame(4000, "room closed"));
    assertThat(written(client)).containsExactly("close:4000:room closed");
    client.writeInbound(new CloseWebSocketFrame(4000, "room closed"));
    assertThat(client.isActive()).isFalse();
    assertThat(b2.isActive()).isFalse();
    assertThat(dialer.resumes).as("an application's close is no loss").isEmpty();
  }

  @Test
  void aClientClosingWhileTheConnectionResumesIsAnsweredByTether() {
    EmbeddedChannel b1 = open(CONFIG);
    b1.close();
    client.writeInbound(text("held"));
    client.writeInbound(new CloseWebSocketFrame(1000, "leaving"));
    assertThat(written(client)).containsExactly("close:1000:");
    assertThat(dialer.cancels).isPositive();
  }

  @Test
  void theClientGoingAwayReleasesWhatIsHeld() {
    EmbeddedChannel b1 = open(CONFIG);
    b1.close();
    client.writeInbound(text("held 1"));
    client.writeInbound(text("held 2"));
    client.close();
    assertThat(dialer.cancels).isPositive();
  }
}
