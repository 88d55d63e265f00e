package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.proxy.admin.Reloader;
import dev.tether.proxy.config.ConfigException;
import dev.tether.proxy.config.ConfigProblem;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.proxy.runtime.LoadHammer;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads of a real file through {@code POST /api/reload} while a real HTTP client keeps several
 * connections busy through the proxy: weights change, servers come and go, the pool is rebuilt for
 * a new algorithm and its health checks restart, and no request fails. An invalid file is refused
 * with file, line and key, and the old configuration keeps serving.
 */
@ExtendWith(LeakDetection.class)
class ReloadUnderLoadIntegrationTest {

  private static final String TOKEN = "0123456789abcdef-admin";
  @TempDir Path dir;
  private Path file;
  private final List<TestBackend> backends = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private ControlPlane tether;

  @BeforeEach
  void start() throws Exception {
    for (String n : List.of("s1", "s2", "s3")) {
      backends.add(TestBackend.start(n));
    }
    file = dir.resolve("tether.yaml");
    Files.writeString(file, yaml(0));
    Reloader fromFile = () -> tether.reload(load(file)); // as `tether run` does
    tether = ControlPlane.start(load(file), fromFile);
  }

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
    http.close();
  }

  private static TetherConfig load(Path file) {
    try {
      return ConfigLoader.load(file, Map.<String, String>of()::get);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          e.problems().stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")), e);
    }
  }

  /**
   * Four shapes of the file, cycled: weights, a third server, another algorithm, one server fewer.
   */
  private String yaml(int variant) {
    String s1 = "      - { name: s1, address: " + backends.get(0).address() + " }\n";
    String s2 =
        "      - { name: s2, address: "
            + backends.get(1).address()
            + (variant == 1 ? ", weight: 3" : "")
            + " }\n";
    String s3 = "      - { name: s3, address: " + backends.get(2).address() + " }\n";
    String servers =
        switch (variant % 4) {
          case 0 -> s1 + s2;
          case 1 -> s1 + s2 + s3;
          case 2 -> s1 + s3;
          default -> s2 + s3;
        };
    return "listen: 127.0.0.1:0\nworkers: 2\nadmin: { listen: 127.0.0.1:0, token: "
        + TOKEN
        + " }\n"
        + "pools:\n  web:\n    algorithm: "
        + (variant % 2 == 0 ? "weighted-round-robin" : "least-connections")
        + "\n"
        + "    health: { path: /health, interval: 200ms, timeout: 200ms, rise: 1, fall: 2 }\n"
        + "    servers:\n"
        + servers
        + "routes:\n  - { path-prefix: /, pool: web }\n";
  }

  private HttpResponse<String> admin(String method, String path) throws Exception {
    return admin(method, path, null);
  }

  private HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.admin().port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Authorization", "Bearer " + TOKEN)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI proxy() {
    return URI.create("http://127.0.0.1:" + tether.proxy().port() + "/");
  }

  @Test
  void twentyReloadsUnderLoadFailNoRequest() throws Exception {
    try (LoadHammer load = LoadHammer.start(proxy(), 4)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > 200);
      for (int i = 1; i <= 20; i++) {
        Files.writeString(file, yaml(i));
        HttpResponse<String> r = admin("POST", "/api/reload");
        assertThat(r.statusCode()).as("reload " + i + ": " + r.body()).isEqualTo(200);
        long seen = load.ok();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > seen + 100);
      }
      load.close();
      assertThat(load.failures()).as("failed requests").isEmpty();
      assertThat(load.ok()).isGreaterThan(2000);
      assertThat(load.servedBy("s1") + load.servedBy("s2") + load.servedBy("s3"))
          .isEqualTo(load.ok());
    }
    JsonNode servers = json.readTree(admin("GET", "/api/pools/web/servers").body()).get("servers");
    assertThat(servers)
        .extracting(s -> s.get("name").asText())
        .containsExactly("s1", "s2"); // the last reload wrote shape 20 % 4 = 0
  }

  /**
   * What the data plane does per request, in its order: load the routing table, then (later) the
   * pool's snapshot, then the address of the server it picked, from its table or else from the
   * table in force by then. Every server a snapshot offers must be found so, or the request picking
   * it would get a 502. A watcher checks that continuously while servers come and go by reload and
   * through the runtime API.
   */
  @Test
  void noRequestCanPickAServerThatHasNoAddressYet() throws Exception {
    java.util.concurrent.atomic.AtomicLong checks = new java.util.concurrent.atomic.AtomicLong();
    List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean running =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread watcher =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  while (running.get()) {
                    dev.tether.proxy.route.Upstream up =
                        tether.proxy().runtime().router().upstreams().get("web");
                    for (dev.tether.balance.Member m : up.pool().snapshot().members()) {
                      if (!up.addresses().containsKey(m.name())
                          && !tether
                              .proxy()
                              .runtime()
                              .router()
                              .upstreams()
                              .get("web")
                              .addresses()
                              .containsKey(m.name())) {
                        violations.add(m.name());
                      }
                    }
                    checks.incrementAndGet();
                  }
                });
    try {
      for (int i = 1; i <= 20; i++) {
        Files.writeString(
            file, yaml(i % 2 == 0 ? 0 : 2)); // s1 + s2, then s1 + s3: one server goes, one comes
        tether.reload(load(file));
        tether
            .runtimeChanges()
            .add(
                "web",
                dev.tether.proxy.config.ServerInput.server(
                    "x" + i, backends.get(i % 3).address().replace("127.0.0.1", "localhost"), 1));
        tether.runtimeChanges().remove("web", "x" + i, true, Duration.ZERO);
      }
    } finally {
      running.set(false);
      watcher.join();
    }
    assertThat(checks.get()).isGreaterThan(100);
    assertThat(violations).as("servers picked before their address was published").isEmpty();
  }

  @Test
  void runtimeChangesSurviveAReloadUntilTheFileContradictsThem() throws Exception {
    HttpResponse<String> added =
        admin(
            "POST",
            "/api/pools/web/servers",
            "{\"name\": \"s3\", \"address\": \"localhost:" + backends.get(2).port() + "\"}");
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    assertThat(admin("PUT", "/api/pools/web/servers/s1/weight", "{\"weight\": 4}").statusCode())
        .isEqualTo(200);
    assertThat(admin("POST", "/api/reload").statusCode()).isEqualTo(200);
    assertThat(servers()).containsExactly("s1:4:127.0.0.1", "s2:1:127.0.0.1", "s3:1:localhost");
    Files.writeString(
        file, yaml(1)); // the file now has its own s3 (127.0.0.1) and gives s2 weight 3
    assertThat(admin("POST", "/api/reload").statusCode()).isEqualTo(200);
    assertThat(servers()).containsExactly("s1:4:127.0.0.1", "s2:3:127.0.0.1", "s3:1:127.0.0.1");
    String yaml = admin("GET", "/api/config").body();
    assertThat(yaml).contains("# runtime: weight 4 set ").doesNotContain("# runtime: added");
    Files.writeString(
        file,
        yaml(1)
            .replace(
                "name: s1, address: " + backends.get(0).address(),
                "name: s1, address: " + backends.get(0).address() + ", weight: 2"));
    assertThat(admin("POST", "/api/reload").statusCode()).isEqualTo(200);
    assertThat(servers()).first().isEqualTo("s1:2:127.0.0.1");
    assertThat(admin("GET", "/api/config").body()).doesNotContain("# runtime:");
  }

  /** The pool's servers as name:weight:host, from the admin API. */
  private List<String> servers() throws Exception {
    List<String> out = new ArrayList<>();
    json.readTree(admin("GET", "/api/pools/web/servers").body())
        .get("servers")
        .forEach(
            s ->
                out.add(
                    s.get("name").asText()
                        + ":"
                        + s.get("weight").asInt()
                        + ":"
                        + s.get("address").asText().split(":")[0]));
    return out;
  }

  @Test
  void anInvalidFileIsRefusedWithFileLineAndKeyAndTheOldConfigurationKeepsServing()
      throws Exception {
    try (LoadHammer load = LoadHammer.start(proxy(), 3)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > 100);
      String bad =
          yaml(0)
              .replace(
                  "address: " + backends.get(1).address() + " }",
                  "address: " + backends.get(1).address() + ", weight: 999 }")
              .replace(
                  "algorithm: weighted-round-robin",
                  "algorithm: weighted-round-robin\n    retries: { budgett: 5% }");
      Files.writeString(file, bad);
      HttpResponse<String> r = admin("POST", "/api/reload");
      assertThat(r.statusCode()).isEqualTo(400);
      String error = json.readTree(r.body()).get("error").asText();
      assertThat(error)
          .contains(file + ":11:", "pools.web.servers[1].weight: 999 is out of range; use 0..256");
      assertThat(error).contains(file + ":7:", "pools.web.retries.budgett");
      JsonNode problems = json.readTree(r.body()).get("problems");
      assertThat(problems)
          .extracting(
              p ->
                  p.get("file").asText()
                      + ":"
                      + p.get("line").asInt()
                      + " "
                      + p.get("key").asText())
          .containsExactly(
              file + ":7 pools.web.retries.budgett", file + ":11 pools.web.servers[1].weight");
      Files.writeString(file, "listen: 127.0.0.1:0\npools: [\n");
      r = admin("POST", "/api/reload");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(json.readTree(r.body()).get("error").asText())
          .contains(file + ":3:", "YAML syntax error");
      long seen = load.ok();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > seen + 300);
      load.close();
      assertThat(load.failures()).isEmpty();
    }
    assertThat(TestBackend.servedBy(http, proxy(), 40))
        .containsOnlyKeys("s1", "s2")
        .containsEntry("s1", 20);
    assertThat(admin("GET", "/api/config").body())
        .contains("name: s1", "name: s2")
        .doesNotContain("weight: 999", "budgett"); // the temp path may hold "999"
  }
}
