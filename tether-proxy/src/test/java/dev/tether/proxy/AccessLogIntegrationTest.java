package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.config.Timeouts;
import dev.tether.proxy.config.Transport;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.route.Upstream;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real proxy with {@code access-log.path} and the JSON format: every request of a real HTTP
 * client is a valid JSON line in the file once the proxy has stopped (the last buffer is written on
 * stop, long before the 1 h flush), and no buffer leaks.
 */
@ExtendWith(LeakDetection.class)
class AccessLogIntegrationTest {

  @Test
  void everyRequestIsAJsonLineInTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    try (TestBackend backend = TestBackend.start("s1")) {
      Pool pool =
          new Pool(
              "web",
              List.of(new Server("s1", "127.0.0.1", backend.port(), 1)),
              Balancers.find("round-robin").orElseThrow(),
              Map.of(),
              BalanceEnv.SYSTEM);
      Upstream up =
          new Upstream(
              pool,
              Map.of("s1", new InetSocketAddress("127.0.0.1", backend.port())),
              ConnectionsConfig.DEFAULTS,
              null,
              true);
      Router router = new Router(List.of(new Route(null, "/", "web")), Map.of("web", up));
      ProxySettings settings =
          new ProxySettings(
              new ProxySettings.Listen("127.0.0.1", 0, 2, Transport.AUTO),
              Timeouts.DEFAULTS,
              Limits.DEFAULTS,
              TrustedProxies.NONE,
              new AccessLog(true, AccessLog.Format.JSON, file, 4096, Duration.ofHours(1)));
      TetherProxy proxy = TetherProxy.start(settings, router);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      List<String> paths = new ArrayList<>();
      try {
        for (int i = 0; i < 60; i++) { // 60 lines of ~200 bytes: several 4k buffers go by size
          String path = "/item/" + i + "?q=%22x%22";
          paths.add(path);
          HttpResponse<String> r =
              client.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(r.statusCode()).isEqualTo(200);
        }
      } finally {
        proxy.stop(Duration.ofSeconds(2));
      }
      List<String> lines = Files.readAllLines(file);
      assertThat(lines).hasSize(60);
      ObjectMapper json = new ObjectMapper();
      List<String> logged = new ArrayList<>();
      for (String line : lines) {
        JsonNode n = json.readTree(line);
        assertThat(n.get("pool").asText()).isEqualTo("web");
        assertThat(n.get("server").asText()).isEqualTo("s1");
        assertThat(n.get("status").asInt()).isEqualTo(200);
        assertThat(n.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(n.get("time").asText())
            .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)");
        logged.add(n.get("path").asText());
      }
      // two loops each keep their own order; together every request is there once
      assertThat(logged).containsExactlyInAnyOrderElementsOf(paths);
      assertThat(proxy.runtime().accessLog().dropped()).isZero();
    }
  }
}
