package dev.tether.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.testing.backend.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether run} as its own process: SIGTERM while a request is in flight lets that request
 * finish (with {@code Connection: close}), then the process exits.
 */
class SigtermTest {

  @TempDir Path dir;

  @Test
  void sigtermLetsTheRequestInFlightFinish() throws Exception {
    try (TestBackend backend = TestBackend.start("s1")) {
      int port = dev.tether.testing.net.FreePorts.loopback(1).getFirst();
      Path config = dir.resolve("tether.yaml");
      Files.writeString(
          config,
          """
          listen: 127.0.0.1:%d
          workers: 1
          timeouts: { shutdown: 10s }
          pools:
            web:
              servers:
                - { name: s1, address: %s }
          """
              .formatted(port, backend.address()));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  java,
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  System.getProperty("java.class.path"),
                  TetherCommand.class.getName(),
                  "run",
                  "--config",
                  config.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("out.log").toFile())
              .start();
      try {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI base = URI.create("http://127.0.0.1:" + port);
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(
                () ->
                    client
                            .send(
                                HttpRequest.newBuilder(base.resolve("/")).build(),
                                HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                        == 200);
        long before = backend.requests();
        CompletableFuture<HttpResponse<String>> inFlight =
            client.sendAsync(
                HttpRequest.newBuilder(base.resolve("/slow?ms=1500")).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.requests() > before);
        p.destroy(); // SIGTERM
        HttpResponse<String> r = inFlight.get(15, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("slow hello from s1\n");
        assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("process exited").isTrue();
        assertThat(Files.readString(dir.resolve("out.log"))).contains("tether stopped");
      } finally {
        p.destroyForcibly();
      }
    }
  }
}
