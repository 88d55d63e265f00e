package dev.tether.proxy.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.leak.LeakDetection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A WebSocket may be silent for longer than {@code timeouts.server}: that timeout is for responses,
 * and only {@code timeouts.tunnel} bounds an upgraded connection's silence, tunnelled or managed.
 */
@ExtendWith(LeakDetection.class)
class QuietWebSocketIntegrationTest {

  @ParameterizedTest(name = "websocket: {0}")
  @ValueSource(strings = {"tunnel", "managed"})
  void silenceLongerThanTheServerTimeoutKeepsTheConnection(String mode) throws Exception {
    try (EchoServer a = EchoServer.start("a", 0)) {
      String yaml =
          """
          listen: 127.0.0.1:0
          workers: 1
          timeouts: { server: 1s }
          pools:
            chat:
              websocket: %s
              servers:
                - { name: a, address: 127.0.0.1:%d }
          """
              .formatted(mode, a.port());
      ControlPlane tether =
          ControlPlane.start(ConfigLoader.parse(yaml, "quiet.yaml", Map.<String, String>of()::get));
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      try {
        LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket ws =
            http.newWebSocketBuilder()
                .buildAsync(
                    URI.create("ws://127.0.0.1:" + tether.proxy().port() + "/ws"),
                    new WebSocket.Listener() {
                      @Override
                      public CompletionStage<?> onText(
                          WebSocket w, CharSequence data, boolean last) {
                        texts.add(data.toString());
                        w.request(1);
                        return null;
                      }

                      @Override
                      public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(code);
                        return null;
                      }
                    })
                .orTimeout(30, TimeUnit.SECONDS)
                .join();
        ws.sendText("one", true).join();
        assertThat(texts.poll(30, TimeUnit.SECONDS)).isEqualTo("a: one");
        // three server timeouts of silence
        await()
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(10))
            .until(() -> !closed.isDone() && !ws.isInputClosed());
        ws.sendText("two", true).join();
        assertThat(texts.poll(30, TimeUnit.SECONDS)).isEqualTo("a: two");
        ws.abort();
      } finally {
        http.close();
        tether.stop(Duration.ofSeconds(2));
      }
    }
  }
}
