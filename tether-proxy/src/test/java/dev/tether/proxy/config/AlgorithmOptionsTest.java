package dev.tether.proxy.config;

import static dev.tether.proxy.config.ConfigErrorsTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.BalancerProvider;
import dev.tether.balance.Balancers;
import dev.tether.balance.Member;
import dev.tether.balance.Picker;
import dev.tether.proxy.config.yaml.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Algorithm options against a registry holding the real algorithms plus a hashing one. */
class AlgorithmOptionsTest {

  /** A stand-in with options, as the hashing algorithms have; it never picks. */
  private static final class HashingProvider implements BalancerProvider {
    @Override
    public String name() {
      return "test-hash";
    }

    @Override
    public String description() {
      return "A stand-in with options.";
    }

    @Override
    public List<String> optionKeys() {
      return List.of("hash-method", "virtual-nodes", "hash-salt");
    }

    @Override
    public List<String> validate(Map<String, String> options) {
      List<String> out = new ArrayList<>();
      String nodes = options.getOrDefault("virtual-nodes", "100");
      if (!nodes.matches("\\d+")) {
        out.add("virtual-nodes must be a whole number, e.g. 100.");
      }
      return out;
    }

    @Override
    public Picker newPicker(List<Member> members, Map<String, String> options, BalanceEnv env) {
      return request -> null;
    }
  }

  private static Map<String, BalancerProvider> registry() {
    Map<String, BalancerProvider> map = new LinkedHashMap<>(Balancers.all());
    map.put("test-hash", new HashingProvider());
    return map;
  }

  private static String config(String poolLines) {
    return """
        listen: 127.0.0.1:8080
        pools:
          web:
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        """
        + poolLines.indent(4);
  }

  private static TetherConfig parse(String poolLines) throws ConfigException {
    return ConfigLoader.parse(config(poolLines), "t.yaml", k -> null, Path.of(""), registry());
  }

  private static List<ConfigProblem> problems(String poolLines) {
    return failure(() -> parse(poolLines)).problems();
  }

  @Test
  void optionsAreCollectedAsStringsIncludingKeysOnlyAProviderDeclares() throws Exception {
    PoolConfig pool =
        parse(
                """
        algorithm: test-hash
        hash-method: murmur3
        virtual-nodes: 160
        hash-salt: abc
        """)
            .pools()
            .get("web");
    assertThat(pool.algorithm()).isEqualTo("test-hash");
    assertThat(pool.algorithmOptions())
        .containsExactly(
            Map.entry("hash-method", "murmur3"),
            Map.entry("virtual-nodes", "160"),
            Map.entry("hash-salt", "abc"));
  }

  @Test
  void validationSentencesBecomeProblemsAtTheAlgorithmLine() {
    assertThat(
            problems(
                """
        algorithm: test-hash
        virtual-nodes: many
        """))
        .extracting(ConfigProblem::line, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(5, "pools.web.algorithm", "virtual-nodes must be a whole number, e.g. 100."));
  }

  @Test
  void anOptionTheChosenAlgorithmDoesNotUseNamesTheAlgorithmsThatDo() {
    assertThat(
            problems(
                """
        virtual-nodes: 100
        slow-start: 30s
        """))
        .extracting(ConfigProblem::line, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(
                5,
                "pools.web.virtual-nodes",
                "algorithm 'round-robin' does not use this "
                    + "option; it applies to algorithm ip-hash, uri-hash, header-hash, cookie-hash, test-hash"),
            tuple(
                6,
                "pools.web.slow-start",
                "algorithm 'round-robin' does not use this "
                    + "option; it applies to algorithm weighted-round-robin, least-connections, "
                    + "least-response-time, power-of-two, random"));
  }

  @Test
  void unknownAlgorithmListsTheRegistry() {
    assertThat(problems("algorithm: hash\n"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(5);
              assertThat(p.message())
                  .isEqualTo(
                      "unknown algorithm 'hash'; use one of: "
                          + String.join(", ", registry().keySet()));
            });
  }

  @Test
  void optionsAreReadOnceIntoTheAlgorithmsTypedSettings() throws Exception {
    PoolConfig seconds = parse("algorithm: random\nslow-start: 30s\n").pools().get("web");
    PoolConfig millis = parse("algorithm: random\nslow-start: 30000ms\n").pools().get("web");
    assertThat(seconds.balancer().provider()).isSameAs(Balancers.find("random").orElseThrow());
    // the same settings written differently: a reload keeps the pool
    assertThat(seconds.balancer()).isEqualTo(millis.balancer());
    assertThat(parse("algorithm: random\n").pools().get("web").balancer())
        .isNotEqualTo(seconds.balancer());
    assertThat(seconds.withServers(seconds.servers()).balancer()).isSameAs(seconds.balancer());
  }

  @Test
  void aPoolWhoseOptionsAreRefusedIsStillOneAnAlertMayName() {
    String yaml =
        config(
                """
        algorithm: random
        slow-start: ten seconds
        """)
            + """
        alerts:
          rules: [ { kind: server-down, pool: web } ]
        """;
    assertThat(
            failure(() -> ConfigLoader.parse(yaml, "t.yaml", k -> null, Path.of(""), registry()))
                .problems())
        .extracting(ConfigProblem::line, ConfigProblem::path)
        .containsExactly(tuple(5, "pools.web.algorithm"));
  }
}
