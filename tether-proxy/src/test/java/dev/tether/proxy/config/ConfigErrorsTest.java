package dev.tether.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.tether.proxy.config.yaml.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigErrorsTest {

  interface Load {
    TetherConfig run() throws ConfigException;
  }

  static ConfigException failure(Load load) {
    ConfigException e = catchThrowableOfType(ConfigException.class, load::run);
    assertThat(e).as("expected a ConfigException").isNotNull();
    return e;
  }

  static List<ConfigProblem> problems(String yaml) {
    return failure(() -> ConfigLoader.parse(yaml, "tether.yaml", Map.<String, String>of()::get))
        .problems();
  }

  static ConfigProblem only(String yaml) {
    List<ConfigProblem> p = problems(yaml);
    assertThat(p).hasSize(1);
    return p.getFirst();
  }

  static final String SERVERS = "    servers: [ { name: s1, address: 127.0.0.1:9001 } ]\n";

  @Test
  void badDurationNamesFileLineColumnPathAndWhatIsAllowed() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            health:
              path: /healthz
              interval: 2x
        """
                + SERVERS);
    assertThat(p)
        .isEqualTo(
            new ConfigProblem(
                "tether.yaml",
                6,
                17,
                "pools.web.health.interval",
                "'2x' is not a duration; use a number with ms, s, m, h or d, e.g. 2s"));
    assertThat(p.toString())
        .isEqualTo(
            "tether.yaml:6:17: pools.web.health.interval: '2x' is not "
                + "a duration; use a number with ms, s, m, h or d, e.g. 2s");
  }

  @Test
  void severalErrorsAreReportedAtOnceInFileOrder() {
    ConfigException e =
        failure(
            () ->
                ConfigLoader.parse(
                    """
        listen: 127.0.0.1:99999
        workers: 0
        pools:
          web:
            algorithm: round-robin
            servers:
              - { name: s1, address: 127.0.0.1:9001 }
              - { name: s2, address: localhost }
              - { name: s1, address: 127.0.0.1:9003, weight: 300 }
        timeouts:
          connect: 5
        """,
                    "tether.yaml",
                    k -> null));
    assertThat(e.problems())
        .extracting(ConfigProblem::line, ConfigProblem::path)
        .containsExactly(
            tuple(1, "listen"),
            tuple(2, "workers"),
            tuple(8, "pools.web.servers[1].address"),
            tuple(9, "pools.web.servers[2].name"),
            tuple(9, "pools.web.servers[2].weight"),
            tuple(11, "timeouts.connect"));
    assertThat(e.getMessage().lines()).hasSize(6);
    assertThat(e.getMessage().lines().toList())
        .containsExactly(
            "tether.yaml:1:9: listen: port 99999 in '127.0.0.1:99999' is out of range 0..65535",
            "tether.yaml:2:10: workers: 0 is out of range; use 1..256",
            "tether.yaml:8:30: pools.web.servers[1].address: 'localhost' has no port; "
                + "use host:port or [ipv6]:port, e.g. 127.0.0.1:8080",
            "tether.yaml:9:17: pools.web.servers[2].name: server name 's1' is already used at line 7;"
                + " each server needs its own",
            "tether.yaml:9:54: pools.web.servers[2].weight: 300 is out of range; use 0..256",
            "tether.yaml:11:12: timeouts.connect: '5' has no unit; use a number with ms, s, m, h or d,"
                + " e.g. 5s or 5ms");
  }

  @Test
  void unknownKeySuggestsTheClosestKnownKey() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            health:
              path: /healthz
              intervall: 2s
        """
                + SERVERS);
    assertThat(p.line()).isEqualTo(6);
    assertThat(p.column()).isEqualTo(7);
    assertThat(p.path()).isEqualTo("pools.web.health.intervall");
    assertThat(p.message())
        .isEqualTo(
            "unknown key; did you mean `interval`? allowed here: "
                + "kind, interval, timeout, rise, fall, path, method, expect-status, expect-body, host, agent");
  }

  @Test
  void unknownKeyWithoutCloseMatchListsTheAllowedKeys() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        colour: blue
        pools: { web: { servers: [ { name: s1, address: 127.0.0.1:9001 } ] } }
        """);
    assertThat(p.line()).isEqualTo(2);
    assertThat(p.message())
        .startsWith("unknown key; allowed here: listen, workers, transport,")
        .doesNotContain("did you mean");
  }

  @Test
  void underscoreSpellingSuggestsTheDashedKey() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        limits: { max_headers: 10 }
        pools: { web: { servers: [ { name: s1, address: 127.0.0.1:9001 } ] } }
        """);
    assertThat(p.path()).isEqualTo("limits.max_headers");
    assertThat(p.message()).startsWith("unknown key; did you mean `max-headers`?");
  }

  @Test
  void duplicateKeyIsAnErrorAtTheSecondOccurrence() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        listen: 127.0.0.1:8081
        """);
    assertThat(p)
        .isEqualTo(
            new ConfigProblem(
                "tether.yaml", 5, 1, "listen", "duplicate key; it is already set at line 1"));
  }

  @Test
  void yamlSyntaxErrorHasLineAndColumn() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            servers: [ { name: s1, address: 127.0.0.1:9001 }
        routes: []
        """);
    assertThat(p.line()).isEqualTo(5);
    assertThat(p.path()).isEmpty();
    assertThat(p.message()).startsWith("YAML syntax error: ");
    assertThat(p.toString()).startsWith("tether.yaml:5:");
  }

  @Test
  void badIndentationIsASyntaxError() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            servers: []
           bad: 1
        """);
    assertThat(p.line()).isEqualTo(5);
    assertThat(p.message()).startsWith("YAML syntax error:");
  }

  @Test
  void emptyFileAndNonMappingAreReported() {
    assertThat(only("# nothing\n").message()).contains("empty");
    ConfigProblem p = only("- a\n- b\n");
    assertThat(p.line()).isEqualTo(1);
    assertThat(p.message()).contains("must be a mapping");
  }

  @Test
  void missingRequiredKeysPointAtTheEnclosingMapping() {
    List<ConfigProblem> p =
        problems(
            """
        workers: 2
        pools:
          web:
            health: { interval: 2s }
            servers:
              - { address: 127.0.0.1:9001 }
        """);
    assertThat(p)
        .extracting(ConfigProblem::line, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(
                1,
                "listen",
                "is required; the address clients connect to, e.g. listen: 0.0.0.0:8080"),
            tuple(
                4,
                "pools.web.health.path",
                "is required; the request path to probe, e.g. path: /healthz"),
            tuple(
                6,
                "pools.web.servers[0].name",
                "is required; a name unique in the pool, e.g. name: s1"));
  }

  @Test
  void poolWithoutServersAndUnknownAlgorithm() {
    List<ConfigProblem> p =
        problems(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            algorithm: round-robbin
          api:
            servers: []
        routes:
          - { pool: web }
        """);
    assertThat(p)
        .extracting(ConfigProblem::line, ConfigProblem::path)
        .containsExactly(
            tuple(4, "pools.web.servers"),
            tuple(4, "pools.web.algorithm"),
            tuple(6, "pools.api.servers"));
    assertThat(p.get(1).message())
        .startsWith(
            "unknown algorithm 'round-robbin'; did you mean "
                + "`round-robin`? use one of: round-robin");
    assertThat(p.get(2).message()).isEqualTo("needs at least one server");
  }

  @Test
  void algorithmOptionTheAlgorithmDoesNotUseIsAnError() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            algorithm: round-robin
            hash-method: murmur3
        """
                + SERVERS);
    assertThat(p.line()).isEqualTo(5);
    assertThat(p.path()).isEqualTo("pools.web.hash-method");
    assertThat(p.message()).startsWith("algorithm 'round-robin' does not use this option; ");
  }

  @Test
  void serverAddressesMustBeUniqueAndHaveAPort() {
    List<ConfigProblem> p =
        problems(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            servers:
              - { name: s1, address: 127.0.0.1:9001 }
              - { name: s2, address: 127.0.0.1:9001 }
              - { name: s3, address: 127.0.0.1:0 }
              - { name: "s 4", address: "::1:80" }
        """);
    assertThat(p)
        .extracting(ConfigProblem::line, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(
                6,
                "pools.web.servers[1].address",
                "address '127.0.0.1:9001' is already used at line 5; each server needs its own"),
            tuple(
                7,
                "pools.web.servers[2].address",
                "port 0 is not allowed for a server; use 1..65535"),
            tuple(
                8,
                "pools.web.servers[3].name",
                "'s 4' is not a server name; use letters, digits, '.', '_' and '-' (at most 64)"),
            tuple(
                8,
                "pools.web.servers[3].address",
                "'::1:80': an IPv6 address needs brackets, e.g. [::1]:8080"));
  }

  @Test
  void routesAreRequiredWithSeveralPoolsAndMustNameAPool() {
    ConfigProblem missing =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web: { servers: [ { name: s1, address: 127.0.0.1:9001 } ] }
          api: { servers: [ { name: a1, address: 127.0.0.1:9002 } ] }
        """);
    assertThat(missing.line()).isEqualTo(1);
    assertThat(missing.path()).isEqualTo("routes");
    assertThat(missing.message()).startsWith("is required; with more than one pool");

    List<ConfigProblem> p =
        problems(
            """
        listen: 127.0.0.1:8080
        pools:
          web: { servers: [ { name: s1, address: 127.0.0.1:9001 } ] }
        routes:
          - { path-prefix: /, pool: wbe }
          - { path-prefix: api, pool: web, host: "bad host" }
          - { path-prefix: /x, pool: web }
          - { path-prefix: /x, pool: web }
        """);
    assertThat(p)
        .extracting(ConfigProblem::line, ConfigProblem::path)
        .containsExactly(
            tuple(5, "routes[0].pool"),
            tuple(6, "routes[1].path-prefix"),
            tuple(6, "routes[1].host"),
            tuple(8, "routes[3]"));
    assertThat(p.get(0).message())
        .isEqualTo("no pool is called 'wbe'; did you mean `web`? pools: web");
    assertThat(p.get(3).message()).contains("route at line 7");
  }

  @Test
  void adminMustNotShareTheDataPortAndMustBeLoopbackWithoutToken() {
    List<ConfigProblem> p =
        problems(
            """
        listen: 0.0.0.0:8080
        admin:
          listen: 127.0.0.1:8080
        pools: { web: { servers: [ { name: s1, address: 127.0.0.1:9001 } ] } }
        """);
    assertThat(p)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.line()).isEqualTo(3);
              assertThat(x.path()).isEqualTo("admin.listen");
              assertThat(x.message()).startsWith("the admin API must not share the data port");
            });
    ConfigProblem open =
        only(
            """
        listen: 127.0.0.1:8080
        admin:
          listen: 0.0.0.0:9090
        pools: { web: { servers: [ { name: s1, address: 127.0.0.1:9001 } ] } }
        """);
    assertThat(open.line()).isEqualTo(3);
    assertThat(open.message()).contains("not a loopback address", "admin.token");
  }

  @Test
  void adminTokenFromMissingEnvVarOrTooShort() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        admin: { token-env: TETHER_ADMIN_TOKEN }
        pools: { web: { servers: [ { name: s1, address: 127.0.0.1:9001 } ] } }
        """);
    assertThat(p.line()).isEqualTo(2);
    assertThat(p.path()).isEqualTo("admin.token-env");
    assertThat(p.message()).isEqualTo("environment variable TETHER_ADMIN_TOKEN is not set");

    ConfigProblem s =
        only(
            """
        listen: 127.0.0.1:8080
        admin:
          token: short
        pools: { web: { servers: [ { name: s1, address: 127.0.0.1:9001 } ] } }
        """);
    assertThat(s.line()).isEqualTo(3);
    assertThat(s.message()).startsWith("the token has 5 characters; use at least 16");
    assertThat(s.toString()).doesNotContain("short");
  }

  @Test
  void wrongValueTypesAreReported() {
    List<ConfigProblem> p =
        problems(
            """
        listen: [127.0.0.1:8080]
        access-log: { enabled: yes, format: xml }
        limits: { max-header-size: 16q, max-chunk: 1g }
        transport: kqueue
        pools: { web: { servers: { name: s1 } } }
        """);
    assertThat(p)
        .extracting(ConfigProblem::line, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(1, "listen", "must be a single value, not a list"),
            tuple(2, "access-log.enabled", "'yes' is not a boolean; use true or false"),
            tuple(2, "access-log.format", "'xml' is not allowed; use plain or json"),
            tuple(
                3,
                "limits.max-header-size",
                "'16q' is not a size; use a number of bytes with an optional k, m or g "
                    + "(1024-based), e.g. 16k"),
            tuple(3, "limits.max-chunk", "'1g' is out of range; use 1k..16m"),
            tuple(4, "transport", "'kqueue' is not allowed; use auto, epoll, io-uring or nio"),
            tuple(
                5, "pools.web.servers", "must be a list (- item lines or [a, b]), not a mapping"));
  }

  @Test
  void mergeKeysAreRejectedButAnchorsWork() {
    List<ConfigProblem> p =
        problems(
            """
        listen: 127.0.0.1:8080
        defaults: &d { weight: 2 }
        pools:
          web:
            servers:
              - { <<: *d, name: s1, address: 127.0.0.1:9001 }
        """);
    assertThat(p)
        .extracting(ConfigProblem::line, ConfigProblem::path)
        .containsExactly(tuple(2, "defaults"), tuple(6, "pools.web.servers[0].<<"));
    assertThat(p.get(1).message()).contains("merge keys (<<) are not supported");
  }

  @Test
  void healthPathAndTimeoutAreChecked() {
    List<ConfigProblem> p =
        problems(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            health: { path: healthz, interval: 1s, timeout: 2s, rise: 0 }
        """
                + SERVERS);
    assertThat(p)
        .extracting(ConfigProblem::line, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(
                4,
                "pools.web.health.path",
                "'healthz' is not a request path; start with / and use no spaces, e.g. /healthz"),
            tuple(
                4,
                "pools.web.health.timeout",
                "2s is longer than the interval 1s; use at most the interval"),
            tuple(4, "pools.web.health.rise", "0 is out of range; use 1..100"));
  }

  @Test
  void keysWithoutANameStillHaveAPath() {
    assertThat(
            problems(
                "listen: 127.0.0.1:8080\n'': 1\n? [a, b]\n: 1\n<<: { workers: 2 }\npools:\n  web:\n"
                    + SERVERS))
        .extracting(ConfigProblem::line, ConfigProblem::path)
        .containsExactly(tuple(2, "''"), tuple(3, "?"), tuple(5, "<<"));
  }

  @Test
  void controlAndFormatCharactersFromTheFileAreEscapedInProblems() {
    List<ConfigProblem> problems =
        problems("listen: \"127.0.0.1:80\\u0007\\u202e\"\npools:\n  \"w\\teb\\n\":\n" + SERVERS);
    assertThat(problems)
        .extracting(ConfigProblem::path)
        .containsExactly("listen", "pools.w\\teb\\n");
    assertThat(problems.getFirst().message()).contains("'127.0.0.1:80\\u0007\\u202E'");
    assertThat(problems.get(1).message()).startsWith("'w\\teb\\n' is not a pool name");
    assertThat(problems.toString())
        .doesNotContain("\t")
        .doesNotContain("\u0007")
        .doesNotContain("\u202e");
  }

  @Test
  void inputTheYamlScannerFailsOnIsASyntaxErrorNotACrash() throws Exception {
    String yaml =
        new String(
            ConfigErrorsTest.class
                .getResourceAsStream(
                    "/dev/tether/proxy/config/yaml/ConfigReaderFuzzTestInputs/configs/regression-yaml-scanner-number-format.yaml")
                .readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
    ConfigProblem p = only(yaml);
    assertThat(p.path()).isEmpty();
    assertThat(p.message())
        .startsWith("YAML syntax error: unreadable input (NumberFormatException: ");
  }
}
