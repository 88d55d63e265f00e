package dev.tether.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.net.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether run} as its own process with an admin API: {@code POST /api/reload} and SIGHUP
 * re-read the file; a broken file is refused with its problems and the balancer keeps running.
 */
class AdminReloadTest {

  @TempDir Path dir;

  private static String yaml(int port, int adminPort, List<TestBackend> servers) {
    StringBuilder sb =
        new StringBuilder(
            "listen: 127.0.0.1:"
                + port
                + "\nworkers: 1\nadmin: { listen: 127.0.0.1:"
                + adminPort
                + " }\npools:\n  web:\n    servers:\n");
    for (TestBackend b : servers) {
      sb.append("      - { name: ")
          .append(b.name())
          .append(", address: ")
          .append(b.address())
          .append(" }\n");
    }
    return sb.toString();
  }

  @Test
  void adminReloadAndSighupApplyTheFileAndABrokenFileIsRefused() throws Exception {
    try (TestBackend s1 = TestBackend.start("s1");
        TestBackend s2 = TestBackend.start("s2");
        TestBackend s3 = TestBackend.start("s3")) {
      List<Integer> ports = FreePorts.loopback(2);
      Path config = dir.resolve("tether.yaml");
      Files.writeString(config, yaml(ports.get(0), ports.get(1), List.of(s1)));
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
      try (HttpClient client =
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
        URI admin = URI.create("http://127.0.0.1:" + ports.get(1));
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(() -> servers(client, admin) == 1);

        Files.writeString(config, yaml(ports.get(0), ports.get(1), List.of(s1, s2)));
        HttpResponse<String> ok = post(client, admin.resolve("/api/reload"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(servers(client, admin)).isEqualTo(2);

        Files.writeString(
            config,
            "listen: 127.0.0.1:" + ports.get(0) + "\npools:\n  web:\n    algorithm: fastest\n");
        HttpResponse<String> bad = post(client, admin.resolve("/api/reload"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("tether.yaml:4:").contains("algorithm");
        assertThat(servers(client, admin)).as("still the previous configuration").isEqualTo(2);

        Files.writeString(config, yaml(ports.get(0), ports.get(1), List.of(s1, s2, s3)));
        Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start();
        assertThat(hup.waitFor(10, TimeUnit.SECONDS)).isTrue();
        if (hangupIgnored()) {
          // started under nohup (SIGHUP ignored, which the balancer inherits): the JVM cannot
          // handle it, so the balancer says so at start and SIGHUP changes nothing
          assertThat(Files.readString(dir.resolve("out.log"))).contains(Signals.HANGUP_IGNORED);
          assertThat(p.isAlive()).isTrue();
          assertThat(servers(client, admin)).isEqualTo(2);
        } else {
          await()
              .atMost(Duration.ofSeconds(30))
              .untilAsserted(
                  () ->
                      assertThat(servers(client, admin))
                          .as(
                              "servers after SIGHUP; the balancer's output:%n%s",
                              Files.readString(dir.resolve("out.log")))
                          .isEqualTo(3));
          assertThat(Files.readString(dir.resolve("out.log")))
              .doesNotContain(Signals.HANGUP_IGNORED);
        }
      } finally {
        p.destroy();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  /**
   * Whether this process ignores SIGHUP (Linux: bit 0 of SigIgn in /proc/self/status), as its
   * children then do.
   */
  private static boolean hangupIgnored() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 1L) != 0;
      }
    }
    return false;
  }

  private static HttpResponse<String> post(HttpClient client, URI uri) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** How many servers the admin API lists in pool web. */
  private static int servers(HttpClient client, URI admin) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(admin.resolve("/api/pools/web/servers")).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.body().split("\"name\"", -1).length - 1;
  }
}
