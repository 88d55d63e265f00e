package dev.tether.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouteRulesConfigTest {

  private static final String POOLS =
      """
      listen: 127.0.0.1:8080
      pools:
        web:
          servers: [ { name: s1, address: 127.0.0.1:9001 } ]
      """;

  @Test
  void routesCarryTheirAccessRuleAndRateLimit() throws Exception {
    TetherConfig c =
        ConfigLoaderTest.parse(
            POOLS
                + """
        routes:
          - path-prefix: /admin
            pool: web
            access: { allow: [10.0.0.0/8, "2001:db8::/32"], deny: [10.0.5.0/24] }
          - path-prefix: /api
            pool: web
            rate-limit: { rate: 100/s, burst: 200, key: "header:X-Api-Key" }
          - path-prefix: /login
            pool: web
            rate-limit: { rate: 30/m, key: "cookie:SESSION", max-keys: 5000 }
          - { path-prefix: /, pool: web }
        """);

    RouteConfig admin = c.routes().get(0);
    assertThat(admin.access().allow())
        .containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"));
    assertThat(admin.access().deny()).containsExactly(Cidr.parse("10.0.5.0/24"));
    assertThat(admin.rateLimit()).isNull();
    assertThat(c.routes().get(1).rateLimit())
        .isEqualTo(new RouteRateLimit(100, 200, RouteRateLimit.Key.HEADER, "x-api-key", 100_000));
    assertThat(c.routes().get(2).rateLimit())
        .isEqualTo(
            new RouteRateLimit(
                0.5,
                1,
                RouteRateLimit.Key.COOKIE,
                "SESSION",
                5000,
                java.time.Duration.ofMinutes(1),
                null));
    assertThat(c.routes().get(2).rateLimit().sharedAllowance()).isEqualTo(31);
    assertThat(c.routes().get(2).rateLimit().describe()).isEqualTo("30/m burst 1");
    assertThat(c.routes().get(3).access()).isNull();
  }

  @Test
  void aLimitSharedThroughRedisNamesItsUri() throws Exception {
    TetherConfig c =
        ConfigLoaderTest.parse(
            POOLS
                + """
        routes:
          - { path-prefix: /, pool: web, rate-limit: { rate: 10/s, burst: 5, shared: { redis-uri: "redis://127.0.0.1:6379" } } }
        """);
    RouteRateLimit r = c.routes().getFirst().rateLimit();
    assertThat(r.sharedRedisUri()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(r.sharedAllowance()).isEqualTo(15);

    ConfigException e =
        ConfigErrorsTest.failure(
            () ->
                ConfigLoaderTest.parse(
                    POOLS
                        + """
        routes:
          - { path-prefix: /a, pool: web, rate-limit: { rate: 10/s, shared: { redis-uri: "http://x" } } }
          - { path-prefix: /, pool: web, rate-limit: { rate: 10/s, shared: {} } }
        """));
    assertThat(e.problems())
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder(
            "routes[0].rate-limit.shared.redis-uri", "routes[1].rate-limit.shared.redis-uri");
  }

  @Test
  void theBurstDefaultsToOneSecondOfTheRate() throws Exception {
    TetherConfig c =
        ConfigLoaderTest.parse(
            POOLS
                + """
        routes:
          - { path-prefix: /, pool: web, rate-limit: { rate: 50/s } }
        """);
    assertThat(c.routes().getFirst().rateLimit())
        .isEqualTo(new RouteRateLimit(50, 50, RouteRateLimit.Key.CLIENT, null, 100_000));
  }

  @Test
  void badRulesNameLineKeyAndWhatIsAllowed() {
    ConfigException e =
        ConfigErrorsTest.failure(
            () ->
                ConfigLoaderTest.parse(
                    POOLS
                        + """
        routes:
          - path-prefix: /a
            pool: web
            access: { allow: [10.0.0.0/33], deny: [nowhere] }
          - path-prefix: /b
            pool: web
            access: {}
          - path-prefix: /c
            pool: web
            rate-limit: { rate: fast, burst: 0, key: "ip" }
          - path-prefix: /d
            pool: web
            rate-limit: { key: "header:" }
          - path-prefix: /e
            pool: web
            rate-limit: { rate: 10/s, limit: 5 }
        """));

    assertThat(e.problems())
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder(
            "routes[0].access.allow[0]",
            "routes[0].access.deny[0]",
            "routes[1].access",
            "routes[2].rate-limit.rate",
            "routes[2].rate-limit.burst",
            "routes[2].rate-limit.key",
            "routes[3].rate-limit.rate",
            "routes[3].rate-limit.key",
            "routes[4].rate-limit.limit");
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("routes[2].rate-limit.rate"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(14);
              assertThat(p.message()).contains("'fast' is not a rate", "e.g. 100/s or 30/m");
            });
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("routes[2].rate-limit.key"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("use client, header:NAME or cookie:NAME"));
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("routes[1].access"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("an empty access rule allows everyone"));
  }
}
