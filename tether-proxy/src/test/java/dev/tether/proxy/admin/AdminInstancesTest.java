package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /api/demo/instances} over real HTTP: 404 until an {@link InstanceControl} is attached,
 * then listing, kill, start and add reach it, and its refusals come back as JSON errors.
 */
@ExtendWith(LeakDetection.class)
class AdminInstancesTest {

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private TestBackend backend;
  private ControlPlane tether;

  /** Instances kept in a map: what the admin API does with them is what is under test. */
  private static final class Instances implements InstanceControl {
    final Map<String, Instance> byName = new TreeMap<>();

    Instances() {
      byName.put("s1", new Instance("s1", "127.0.0.1:1001", true));
      byName.put("s2", new Instance("s2", "127.0.0.1:1002", true));
    }

    @Override
    public synchronized List<Instance> instances() {
      return List.copyOf(byName.values());
    }

    private Instance set(String name, boolean running) {
      Instance i = byName.get(name);
      if (i == null) {
        throw new IllegalArgumentException(
            "no instance '" + name + "'; instances: " + byName.keySet());
      }
      if (i.running() == running) {
        throw new IllegalStateException(
            "instance " + name + " is already " + (running ? "running" : "stopped"));
      }
      Instance next = new Instance(name, i.address(), running);
      byName.put(name, next);
      return next;
    }

    @Override
    public synchronized Instance kill(String name) {
      return set(name, false);
    }

    @Override
    public synchronized Instance start(String name) {
      return set(name, true);
    }

    @Override
    public synchronized Instance add(String name) {
      String n = name == null ? "s" + (byName.size() + 1) : name;
      Instance i = new Instance(n, "127.0.0.1:" + (1000 + byName.size() + 1), true);
      byName.put(n, i);
      return i;
    }
  }

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("s1");
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\nadmin: { listen: 127.0.0.1:0 }\n"
            + "pools:\n  web:\n    servers:\n      - { name: s1, address: 127.0.0.1:"
            + backend.port()
            + " }\n";
    tether =
        ControlPlane.start(ConfigLoader.parse(yaml, "test.yaml", Map.<String, String>of()::get));
  }

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    backend.close();
    http.close();
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.admin().port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(10))
            .build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void absentWithoutAnInstanceControl() throws Exception {
    HttpResponse<String> r = call("GET", "/api/demo/instances", null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("tether demo");
  }

  @Test
  void listsKillsStartsAndAdds() throws Exception {
    tether.admin().instanceControl(new Instances());

    JsonNode list = json.readTree(call("GET", "/api/demo/instances", null).body());
    assertThat(list.get("instances")).hasSize(2);
    assertThat(list.get("instances").get(0).get("name").asText()).isEqualTo("s1");
    assertThat(list.get("instances").get(0).get("running").asBoolean()).isTrue();

    HttpResponse<String> kill = call("POST", "/api/demo/instances/s2/kill", null);
    assertThat(kill.statusCode()).isEqualTo(200);
    assertThat(json.readTree(kill.body()).get("running").asBoolean()).isFalse();
    HttpResponse<String> again = call("POST", "/api/demo/instances/s2/kill", null);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(json.readTree(again.body()).get("error").asText()).contains("already stopped");

    assertThat(
            json.readTree(call("POST", "/api/demo/instances/s2/start", null).body())
                .get("running")
                .asBoolean())
        .isTrue();

    HttpResponse<String> added = call("POST", "/api/demo/instances", "{\"name\": \"s9\"}");
    assertThat(added.statusCode()).isEqualTo(200);
    assertThat(json.readTree(added.body()).get("name").asText()).isEqualTo("s9");
    assertThat(json.readTree(call("POST", "/api/demo/instances", null).body()).get("name").asText())
        .isEqualTo("s4");
  }

  @Test
  void refusalsSayWhatIsAllowed() throws Exception {
    tether.admin().instanceControl(new Instances());

    HttpResponse<String> unknown = call("POST", "/api/demo/instances/s7/kill", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("no instance 's7'").contains("s1, s2");

    HttpResponse<String> action = call("POST", "/api/demo/instances/s1/reboot", null);
    assertThat(action.statusCode()).isEqualTo(404);
    assertThat(action.body()).contains("use kill or start");

    assertThat(call("GET", "/api/demo/instances/s1/kill", null).statusCode()).isEqualTo(405);
    HttpResponse<String> bad = call("POST", "/api/demo/instances", "[1]");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(call("POST", "/api/demo/instances", "{not json").statusCode()).isEqualTo(400);
  }
}
