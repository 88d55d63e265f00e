package dev.tether.proxy.config;

import static dev.tether.proxy.config.ConfigErrorsTest.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tether.proxy.config.yaml.ConfigLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code pools.<pool>.health}: every key, its default, and an error naming file, line and key. */
class HealthConfigTest {

  private static final String HEAD = "listen: 127.0.0.1:8080\npools:\n  web:\n";
  private static final String SERVERS = ConfigErrorsTest.SERVERS;

  private static HealthConfig health(String section) throws ConfigException {
    TetherConfig c =
        ConfigLoader.parse(
            HEAD + "    health: " + section + "\n" + SERVERS,
            "tether.yaml",
            Map.<String, String>of()::get);
    return c.pools().get("web").health();
  }

  private static ConfigProblem problem(String section) {
    return only(HEAD + "    health: " + section + "\n" + SERVERS);
  }

  @Test
  void theOldKeysReadAsBeforeWithHttpGetDefaults() throws ConfigException {
    HealthConfig h = health("{ path: /healthz, interval: 3s, timeout: 500ms, rise: 1, fall: 2 }");
    assertThat(h)
        .isEqualTo(
            new HealthConfig("/healthz", Duration.ofSeconds(3), Duration.ofMillis(500), 1, 2));
    assertThat(h.kind()).isEqualTo(HealthConfig.Kind.HTTP);
    assertThat(h.method()).isEqualTo("GET");
    assertThat(h.expectStatus()).isEqualTo(StatusRanges.DEFAULT);
    assertThat(h.expectStatus().toString()).isEqualTo("200-399");
    assertThat(h.expectBody()).isNull();
    assertThat(h.host()).isNull();
    assertThat(h.agent()).isTrue();
  }

  @Test
  void everyHttpKeyIsRead() throws ConfigException {
    HealthConfig h =
        health(
            "{ path: /status, method: head, expect-status: [200, 300-308], host: 'app.example.com:8443', "
                + "agent: false }");
    assertThat(h.method()).isEqualTo("HEAD");
    assertThat(h.expectStatus().ranges())
        .containsExactly(new StatusRanges.Range(200, 200), new StatusRanges.Range(300, 308));
    assertThat(h.expectStatus().matches(304)).isTrue();
    assertThat(h.expectStatus().matches(201)).isFalse();
    assertThat(h.host()).isEqualTo("app.example.com:8443");
    assertThat(h.agent()).isFalse();

    HealthConfig body =
        health(
            "{ path: /status, expect-status: '200-204, 418', expect-body: '\"status\":\"UP\"' }");
    assertThat(body.expectStatus().toString()).isEqualTo("200-204, 418");
    assertThat(body.expectBody()).isEqualTo("\"status\":\"UP\"");
    assertThat(health("{ path: /s, host: '[::1]:9001' }").host()).isEqualTo("[::1]:9001");
  }

  @Test
  void aTcpCheckNeedsNoPathAndRefusesHttpKeys() throws ConfigException {
    HealthConfig tcp = health("{ kind: tcp, interval: 1s }");
    assertThat(tcp.kind()).isEqualTo(HealthConfig.Kind.TCP);
    assertThat(tcp.path()).isNull();
    assertThat(tcp.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(tcp.agent()).isFalse();

    ConfigProblem p = problem("{ kind: tcp, path: /healthz }");
    assertThat(p.path()).isEqualTo("pools.web.health.path");
    assertThat(p.line()).isEqualTo(4);
    assertThat(p.message()).isEqualTo("applies to HTTP checks only; remove it, or use kind: http");
  }

  @Test
  void badValuesNameTheKeyAndWhatIsAllowed() {
    assertThat(
            List.of(
                problem("{ path: /h, kind: udp }"),
                problem("{ path: /h, method: POST }"),
                problem("{ path: /h, expect-status: 2xx }"),
                problem("{ path: /h, expect-status: [200, 399-300] }"),
                problem("{ path: /h, expect-status: 600 }"),
                problem("{ path: /h, expect-status: [] }"),
                problem("{ path: /h, method: HEAD, expect-body: ok }"),
                problem("{ path: /h, expect-body: '' }"),
                problem("{ path: /h, host: 'two words' }"),
                problem("{ path: /h, host: 'a.example:99999' }"),
                problem("{ path: /h, agent: maybe }"),
                problem("{ path: /h, expect-stauts: 200 }")))
        .extracting(ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple("pools.web.health.kind", "'udp' is not allowed; use http or tcp"),
            tuple("pools.web.health.method", "'POST' is not allowed; use GET, HEAD or OPTIONS"),
            tuple(
                "pools.web.health.expect-status",
                "'2xx' is not a status or range; use a status "
                    + "100..599 or a range like 200-399, e.g. expect-status: 200-399 or [200, 204]"),
            tuple(
                "pools.web.health.expect-status",
                "'399-300' is not a status or range; use a "
                    + "status 100..599 or a range like 200-399, e.g. expect-status: 200-399 or [200, 204]"),
            tuple(
                "pools.web.health.expect-status",
                "'600' is not a status or range; use a status "
                    + "100..599 or a range like 200-399, e.g. expect-status: 200-399 or [200, 204]"),
            tuple(
                "pools.web.health.expect-status",
                "needs at least one status or range, e.g. expect-status: 200-399"),
            tuple(
                "pools.web.health.expect-body",
                "a HEAD response has no body; use method: GET or drop expect-body"),
            tuple(
                "pools.web.health.expect-body",
                "must not be empty; give the text the body must contain, e.g. expect-body: OK"),
            tuple(
                "pools.web.health.host",
                "'two words' is not a Host header; use a host name or "
                    + "address with an optional port, e.g. host: app.example.com"),
            tuple(
                "pools.web.health.host",
                "'a.example:99999' is not a Host header; use a host "
                    + "name or address with an optional port, e.g. host: app.example.com"),
            tuple("pools.web.health.agent", "'maybe' is not a boolean; use true or false"),
            tuple(
                "pools.web.health.expect-stauts",
                "unknown key; did you mean `expect-status`? "
                    + "allowed here: kind, interval, timeout, rise, fall, path, method, expect-status, expect-body, host, agent"));
  }
}
