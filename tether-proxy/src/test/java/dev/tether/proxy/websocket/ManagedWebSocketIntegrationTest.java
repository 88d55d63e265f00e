package dev.tether.proxy.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.leak.LeakDetection;
import dev.tether.testing.net.FreePorts;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.net.http.HttpClient;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Managed WebSockets over real sockets: the JDK's WebSocket client through Tether to Netty
 * WebSocket servers that are killed and started. Server {@code b}'s port is reserved but nothing
 * listens on it until the test starts {@code b}, so messages sent in between are certainly held by
 * Tether.
 */
@ExtendWith(LeakDetection.class)
class ManagedWebSocketIntegrationTest {

  private final List<EchoServer> servers = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private ControlPlane tether;
  private int portA;
  private int portB;

  /** What a client received: text messages in order, and the close. */
  private static final class Received implements WebSocket.Listener {
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder part = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      part.append(data);
      if (last) {
        texts.add(part.toString());
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

    String next() throws InterruptedException {
      String s = texts.poll(30, TimeUnit.SECONDS);
      assertThat(s).as("a message within 30 s").isNotNull();
      return s;
    }
  }

  private void start(String extraPoolKeys) throws Exception {
    List<Integer> ports = FreePorts.loopback(2);
    portA = ports.get(0);
    portB = ports.get(1);
    servers.add(EchoServer.start("a", portA));
    String yaml =
        """
        listen: 127.0.0.1:0
        workers: 1
        timeouts: { connect: 1s }
        pools:
          chat:
            websocket: managed
            websocket-buffer: 8
            websocket-resume-timeout: 3s
            affinity: { mode: cookie }
        %s    servers:
              - { name: a, address: 127.0.0.1:%d }
              - { name: b, address: 127.0.0.1:%d }
        """
            .formatted(extraPoolKeys, portA, portB);
    tether =
        ControlPlane.start(
            ConfigLoader.parse(yaml, "managed-ws.yaml", Map.<String, String>of()::get));
  }

  private EchoServer startB() {
    EchoServer b = EchoServer.start("b", portB);
    servers.add(b);
    return b;
  }

  @AfterEach
  void stop() {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    servers.forEach(EchoServer::close);
    http.close();
  }

  private WebSocket connect(Received listener) {
    return http.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + tether.proxy().port() + "/ws"), listener)
        .orTimeout(30, TimeUnit.SECONDS)
        .join();
  }

  private static void say(WebSocket ws, String text) {
    ws.sendText(text, true).orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** Kills {@code a} and waits until Tether has noticed, so that what is sent next is held. */
  private void killA() {
    servers.getFirst().close();
    await().atMost(Duration.ofSeconds(30)).until(() -> tether.drains().tunnels("chat", "a") == 0);
  }

  @Test
  void theConnectionOutlivesItsServerAndTheHeldMessagesArriveInOrderOnce() throws Exception {
    start("");
    EchoServer a = servers.getFirst();
    Received r = new Received();
    WebSocket ws = connect(r);
    say(ws, "m1");
    say(ws, "m2");
    assertThat(List.of(r.next(), r.next())).containsExactly("a: m1", "a: m2");
    HttpHeaders first = a.handshakes.getFirst();
    String id = first.get("tether-websocket-id");
    assertThat(id).matches("[A-Za-z0-9_-]{43}");
    assertThat(first.contains("tether-websocket-resume")).isFalse();

    killA();
    say(ws, "m3");
    say(ws, "m4");
    say(ws, "m5");
    EchoServer b = startB();
    assertThat(List.of(r.next(), r.next(), r.next())).containsExactly("b: m3", "b: m4", "b: m5");
    say(ws, "m6");
    assertThat(r.next()).as("nothing came twice before it").isEqualTo("b: m6");
    assertThat(b.received)
        .as("every message reached a server exactly once")
        .containsExactly("m3", "m4", "m5", "m6");
    assertThat(a.received).containsExactly("m1", "m2");
    HttpHeaders resumed = b.handshakes.getFirst();
    assertThat(resumed.get("tether-websocket-resume")).isEqualTo(id + "; received=2; sent=2");
    assertThat(resumed.get("tether-websocket-id")).isEqualTo(id);
    assertThat(r.closed).isNotDone();
    assertThat(tether.drains().tunnels("chat", "b")).isEqualTo(1);

    ws.sendClose(1000, "done").orTimeout(30, TimeUnit.SECONDS).join();
    assertThat(r.closed.get(30, TimeUnit.SECONDS)).startsWith("1000");
  }

  @Test
  void aServerRefusingTheHandshakeIsTriedAgainUntilItAccepts() throws Exception {
    start("");
    Received r = new Received();
    WebSocket ws = connect(r);
    say(ws, "m1");
    assertThat(r.next()).isEqualTo("a: m1");
    EchoServer b = startB();
    b.refuseWith = 503;
    killA();
    say(ws, "m2");
    await().atMost(Duration.ofSeconds(30)).until(() -> b.handshakes.size() >= 2);
    b.refuseWith = 0;
    assertThat(r.next()).isEqualTo("b: m2");
    assertThat(b.received).containsExactly("m2");
    assertThat(b.handshakes)
        .allSatisfy(
            h -> assertThat(h.get("tether-websocket-resume")).endsWith("; received=1; sent=1"));
    assertThat(r.closed).isNotDone();
  }

  @Test
  void aClientCannotSetTheBalancersHeaders() throws Exception {
    start("");
    Received r = new Received();
    WebSocket ws =
        http.newWebSocketBuilder()
            .header("Tether-WebSocket-Id", "forged")
            .header("Tether-WebSocket-Resume", "forged; received=0; sent=0")
            .buildAsync(URI.create("ws://127.0.0.1:" + tether.proxy().port() + "/ws"), r)
            .orTimeout(30, TimeUnit.SECONDS)
            .join();
    say(ws, "hi");
    assertThat(r.next()).isEqualTo("a: hi");
    HttpHeaders h = servers.getFirst().handshakes.getFirst();
    assertThat(h.get("tether-websocket-id")).isNotEqualTo("forged").matches("[A-Za-z0-9_-]{43}");
    assertThat(h.contains("tether-websocket-resume")).isFalse();
  }

  @Test
  void pastTheBufferBoundTheClientGets1013() throws Exception {
    start("");
    Received r = new Received();
    WebSocket ws = connect(r);
    say(ws, "hello");
    assertThat(r.next()).isEqualTo("a: hello");
    killA();
    for (int i = 1; i <= 9; i++) {
      ws.sendText("held " + i, true);
    }
    assertThat(r.closed.get(30, TimeUnit.SECONDS))
        .isEqualTo("1013 more than 8 messages arrived while the server was being replaced");
  }

  @Test
  void whenNoServerAcceptsWithinTheDeadlineTheClientGets1013() throws Exception {
    start("");
    Received r = new Received();
    WebSocket ws = connect(r);
    say(ws, "hello");
    assertThat(r.next()).isEqualTo("a: hello");
    long t0 = System.nanoTime();
    killA();
    say(ws, "anyone?");
    assertThat(r.closed.get(30, TimeUnit.SECONDS))
        .isEqualTo("1013 no server accepted the connection within 3000 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .as("not before the deadline")
        .isGreaterThanOrEqualTo(Duration.ofMillis(2900));
  }

  @Test
  void aDrainMovesTheConnectionToAnotherServerWithoutClosingIt() throws Exception {
    start("    drain: { mode: hard, tunnel-close-rate: 100/s }\n");
    Received r = new Received();
    WebSocket ws = connect(r);
    say(ws, "m1");
    assertThat(r.next()).isEqualTo("a: m1");
    EchoServer b = startB();
    tether.drains().start("chat", "a", null);
    await().atMost(Duration.ofSeconds(30)).until(() -> tether.drains().tunnels("chat", "b") == 1);
    say(ws, "m2");
    assertThat(r.next()).isEqualTo("b: m2");
    assertThat(b.handshakes.getFirst().get("tether-websocket-resume"))
        .endsWith("; received=1; sent=1");
    assertThat(tether.drains().tunnels("chat", "a")).isZero();
    assertThat(r.closed).isNotDone();
  }
}
