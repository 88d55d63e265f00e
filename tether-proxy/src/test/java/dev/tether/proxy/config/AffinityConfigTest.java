package dev.tether.proxy.config;

import static dev.tether.proxy.config.ConfigErrorsTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tether.proxy.config.AffinityConfig.Method;
import dev.tether.proxy.config.AffinityConfig.Mode;
import dev.tether.proxy.config.yaml.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AffinityConfigTest {

  private static final String HEAD =
      """
      listen: 127.0.0.1:8080
      pools:
        web:
          servers: [ { name: s1, address: 127.0.0.1:9001 } ]
      """;
  private static final String SECRET_32 = "0123456789abcdef0123456789abcdef";
  private static final Map<String, String> ENV =
      Map.of(
          "JWT_SECRET", SECRET_32,
          "KEY_SHORT", Base64.getEncoder().encodeToString(new byte[16]),
          "KEY_OK",
              Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(ConfigLoaderTest.bytes(33, (byte) 0xFB)));

  /** The config with {@code affinity} lines (indented under the pool) inserted at line 5. */
  private static String withAffinity(String lines) {
    return HEAD + "    affinity:\n" + lines.indent(6);
  }

  private static AffinityConfig affinity(String lines) throws ConfigException {
    return ConfigLoader.parse(withAffinity(lines), "t.yaml", ENV::get)
        .pools()
        .get("web")
        .affinity();
  }

  private static List<ConfigProblem> problems(String lines) {
    return failure(() -> ConfigLoader.parse(withAffinity(lines), "t.yaml", ENV::get)).problems();
  }

  @Test
  void appCookieModeWithDefaultsAndATable() throws Exception {
    AffinityConfig a = affinity("mode: app-cookie\n");
    assertThat(a.mode()).isEqualTo(Mode.APP_COOKIE);
    assertThat(a.appCookie()).isEqualTo(new AppCookieConfig("JSESSIONID", ".", true));
    assertThat(a.table())
        .isEqualTo(new TableConfig(100_000, Duration.ofMinutes(30), TableConfig.Store.LOCAL, null));
    assertThat(a.cookie()).isNull();
  }

  @Test
  void sourceIpWithSharedRedisTable() throws Exception {
    AffinityConfig a =
        affinity(
            """
        mode: source-ip
        source-ip: { ipv4-prefix: 24, ipv6-prefix: 64, method: table }
        table: { size: 5000, expire: 10m, store: redis }
        balance-factor: 1.5
        """);
    assertThat(a.sourceIp()).isEqualTo(new SourceIpConfig(24, 64, Method.TABLE));
    assertThat(a.table())
        .isEqualTo(
            new TableConfig(
                5000, Duration.ofMinutes(10), TableConfig.Store.REDIS, "redis://127.0.0.1:6379"));
    assertThat(a.balanceFactor()).isEqualTo(1.5);
  }

  @Test
  void headerModeWithHmacJwtSecretFromEnv() throws Exception {
    AffinityConfig a =
        affinity(
            """
        mode: header
        header:
          name: X-Auth
          jwt: { claim: uid, algorithms: [HS256], secret-env: JWT_SECRET }
        """);
    assertThat(a.header().name()).isEqualTo("X-Auth");
    assertThat(a.header().jwt().secret()).isEqualTo(SECRET_32.getBytes(StandardCharsets.UTF_8));
    assertThat(a.header().jwt().algorithms()).containsExactly("HS256");
    assertThat(a.header().jwt().toString()).doesNotContain(SECRET_32);
    assertThat(a.table()).isNull();
  }

  @Test
  void cookieKeysFromEnvAcceptUrlSafeBase64() throws Exception {
    AffinityConfig a =
        affinity(
            """
        mode: cookie
        keys: [ { id: k2, secret-env: KEY_OK } ]
        """);
    assertThat(a.keys())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.id()).isEqualTo("k2");
              assertThat(k.secret()).isEqualTo(ConfigLoaderTest.bytes(33, (byte) 0xFB));
            });
  }

  @Test
  void subSectionOfAnotherModeIsAnError() {
    assertThat(
            problems(
                """
        mode: cookie
        app-cookie: { name: JSESSIONID }
        keys: [ { id: k1, secret-env: KEY_OK } ]
        """))
        .extracting(ConfigProblem::line, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(
                7,
                "pools.web.affinity.app-cookie",
                "applies to mode app-cookie, but mode is cookie"));
  }

  @Test
  void settingsWithModeNoneAreErrors() {
    assertThat(
            problems(
                """
        on-failure: strict
        debug-header: true
        """))
        .extracting(ConfigProblem::line, ConfigProblem::path)
        .containsExactly(
            tuple(6, "pools.web.affinity.on-failure"), tuple(7, "pools.web.affinity.debug-header"));
  }

  @Test
  void unknownAffinityKeyIsStillReported() {
    assertThat(
            problems(
                """
        mode: app-cookie
        app-cookie: { nmae: SID }
        """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(7);
              assertThat(p.path()).isEqualTo("pools.web.affinity.app-cookie.nmae");
              assertThat(p.message()).startsWith("unknown key; did you mean `name`?");
            });
  }

  @Test
  void cookieAttributeRules() {
    assertThat(
            problems(
                """
        mode: cookie
        keys: [ { id: k1, secret-env: KEY_OK } ]
        cookie:
          same-site: none
          host-prefix: true
          path: /app
          domain: example.com
        """))
        .extracting(ConfigProblem::line, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(
                9,
                "pools.web.affinity.cookie.same-site",
                "same-site: none requires secure: true; browsers drop such a cookie otherwise"),
            tuple(
                10,
                "pools.web.affinity.cookie.host-prefix",
                "a __Host- cookie requires secure: true, path: /, no domain"));
  }

  @Test
  void keySecretsAreCheckedWithoutEchoingThem() {
    List<ConfigProblem> p =
        problems(
            """
        mode: cookie
        keys:
          - { id: k3, secret-env: KEY_SHORT }
          - { id: k2, secret-env: NOT_SET }
          - { id: k1, secret: "not base64!" }
          - { id: k1, secret-env: KEY_OK }
          - { id: k0 }
        """);
    assertThat(p)
        .extracting(ConfigProblem::line, ConfigProblem::message)
        .containsExactly(
            tuple(
                8,
                "the secret decodes to 16 bytes; use at least 32 random bytes, e.g. "
                    + "`openssl rand -base64 32`"),
            tuple(9, "environment variable NOT_SET is not set"),
            tuple(
                10,
                "the secret is not base64 (Illegal base64 character 20); use e.g. the output of "
                    + "`openssl rand -base64 32`"),
            tuple(11, "key id 'k1' is already used at line 10; each key needs its own id"),
            tuple(
                12,
                "is required; give the key as secret: <base64> or secret-env: <variable name>, "
                    + "e.g. from `openssl rand -base64 32`"));
  }

  @Test
  void secretAndSecretEnvTogetherIsAnError() {
    assertThat(
            problems(
                """
        mode: cookie
        keys: [ { id: k1, secret: abc, secret-env: KEY_OK } ]
        """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(7);
              assertThat(p.path()).isEqualTo("pools.web.affinity.keys[0].secret-env");
              assertThat(p.message()).isEqualTo("set either `secret` or `secret-env`, not both");
            });
  }

  @Test
  void lifetimesMustNest() {
    assertThat(
            problems(
                """
        mode: cookie
        keys: [ { id: k1, secret-env: KEY_OK } ]
        idle-timeout: 9h
        refresh-interval: 10h
        """))
        .extracting(ConfigProblem::line, ConfigProblem::path)
        .containsExactly(
            tuple(8, "pools.web.affinity.idle-timeout"),
            tuple(9, "pools.web.affinity.refresh-interval"));
  }

  @Test
  void tableOnlyWithMethodTableAndRedisUriOnlyWithRedis() {
    assertThat(
            problems(
                """
        mode: source-ip
        table: { size: 10 }
        """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(7);
              assertThat(p.message())
                  .isEqualTo("applies only with method: table (source-ip.method is " + "hash)");
            });
    assertThat(
            problems(
                """
        mode: app-cookie
        table: { redis-uri: "redis://r:6379" }
        """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("pools.web.affinity.table.redis-uri");
              assertThat(p.message()).isEqualTo("applies only with store: redis");
            });
    assertThat(
            problems(
                """
        mode: app-cookie
        table: { store: redis, redis-uri: "http://r:6379" }
        """))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("'http://r:6379' is not a Redis URI"));
  }

  @Test
  void migrationNeedsReplicatedSessions() {
    assertThat(
            problems(
                """
        mode: source-ip
        migration: { rate: 5 }
        """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(7);
              assertThat(p.path()).isEqualTo("pools.web.affinity.migration");
              assertThat(p.message()).contains("`sessions: replicated`", "sessions is local");
            });
  }

  @Test
  void firstRequestWindowIsOnForLocalSessionsOnlyUnlessSet() throws Exception {
    assertThat(affinity("mode: source-ip\n").firstRequestWindow()).isEqualTo(Duration.ofSeconds(1));
    assertThat(affinity("mode: source-ip\nfirst-request-window: 250ms\n").firstRequestWindow())
        .isEqualTo(Duration.ofMillis(250));
    AffinityConfig replicated =
        ConfigLoader.parse(
                HEAD + "    sessions: replicated\n    affinity:\n" + "mode: source-ip\n".indent(6),
                "t.yaml",
                ENV::get)
            .pools()
            .get("web")
            .affinity();
    assertThat(replicated.firstRequestWindow()).isZero();
    AffinityConfig replicatedOn =
        ConfigLoader.parse(
                HEAD
                    + "    sessions: replicated\n    affinity:\n"
                    + "mode: source-ip\nfirst-request-window: 1s\n".indent(6),
                "t.yaml",
                ENV::get)
            .pools()
            .get("web")
            .affinity();
    assertThat(replicatedOn.firstRequestWindow()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void firstRequestWindowIsBounded() {
    assertThat(
            problems(
                """
        mode: source-ip
        first-request-window: 1m
        """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(7);
              assertThat(p.path()).isEqualTo("pools.web.affinity.first-request-window");
              assertThat(p.message()).startsWith("1m is too long; use 0 (off) up to 10s");
            });
    assertThat(
            problems(
                """
        mode: source-ip
        first-request-window: -1s
        """))
        .singleElement()
        .satisfies(p -> assertThat(p.path()).isEqualTo("pools.web.affinity.first-request-window"));
  }

  @Test
  void balanceFactorMustExceedOne() {
    assertThat(
            problems(
                """
        mode: source-ip
        balance-factor: 1
        """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(7);
              assertThat(p.message()).startsWith("1.0 is out of range; use a number above 1");
            });
  }

  @Test
  void jwtNeedsExplicitAlgorithmsAndMatchingKeyMaterial() {
    assertThat(
            problems(
                """
        mode: header
        header:
          jwt: { algorithms: [HS512, RS256, none], secret-env: JWT_SECRET }
        """))
        .extracting(ConfigProblem::line, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(
                8,
                "pools.web.affinity.header.jwt.jwks-file",
                "is required; RS, PS and ES "
                    + "algorithms need the public keys, e.g. jwks-file: keys.json"),
            tuple(
                8,
                "pools.web.affinity.header.jwt.algorithms[2]",
                "'none' is not a supported "
                    + "algorithm; use HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, "
                    + "ES256, ES384 or ES512"),
            tuple(
                8,
                "pools.web.affinity.header.jwt.secret-env",
                "the secret has 32 bytes; the listed HS algorithms need at least 64"));
    assertThat(
            problems(
                """
        mode: header
        header: { jwt: { claim: sub } }
        """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("pools.web.affinity.header.jwt.algorithms");
              assertThat(p.message()).startsWith("is required; list the accepted algorithms");
            });
  }

  @Test
  void headerModeWithoutJwtNeedsAName() {
    assertThat(
            problems(
                """
        mode: header
        header: { method: table }
        """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(7);
              assertThat(p.path()).isEqualTo("pools.web.affinity.header.name");
            });
  }
}
