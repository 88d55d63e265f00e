package dev.tether.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.AffinityConfig.Mode;
import dev.tether.proxy.config.yaml.ConfigLoader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  static final String KEY_K1 = Base64.getEncoder().encodeToString(new byte[32]);
  static final Map<String, String> ENV =
      Map.of(
          "ADMIN_TOKEN",
          "0123456789abcdef0123",
          "TETHER_KEY_K2",
          Base64.getEncoder().encodeToString(bytes(40, (byte) 7)));

  static byte[] bytes(int n, byte value) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, value);
    return b;
  }

  static TetherConfig parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "tether.yaml", ENV::get);
  }

  @Test
  void fullConfigParsesToTheExpectedRecords() throws Exception {
    TetherConfig c =
        parse(
            """
        listen: 0.0.0.0:8080
        workers: 4
        transport: io_uring
        admin:
          listen: 0.0.0.0:9090
          token-env: ADMIN_TOKEN
        trusted-proxies: [10.0.0.0/8, "fd00::/8", 192.168.1.7]
        timeouts: { connect: 2s, client-request: 5s, client-idle: 30s, server: 90s, tunnel: 2h, shutdown: 0 }
        limits: { max-request-line: 4k, max-header-size: 32k, max-headers: 50, max-chunk: 1m }
        access-log: { enabled: false, format: json }
        pools:
          web:
            algorithm: round-robin
            sessions: replicated
            affinity:
              mode: cookie
              on-failure: strict
              cookie: { name: SRV, path: /, max-age: 1h, secure: true, same-site: none, host-prefix: true }
              idle-timeout: 20m
              absolute-timeout: 4h
              refresh-interval: 30s
              keys:
                - { id: k2, secret-env: TETHER_KEY_K2 }
                - { id: k1, secret: "%s" }
              balance-factor: 1.25
              migration: { idle-after: 10m, rate: 5 }
              debug-header: true
            health: { path: /healthz, interval: 3s, timeout: 500ms, rise: 1, fall: 2 }
            connections: { max-idle-per-server: 8, max-per-server: 100, idle-timeout: 30s }
            servers:
              - { name: s1, address: 127.0.0.1:9001, weight: 2 }
              - { name: s2, address: "[::1]:9002", route: b }
          api:
            servers:
              - { name: a1, address: api.internal:7000 }
        routes:
          - { host: "*.Example.com", path-prefix: /api/, pool: api }
          - { pool: web }
        """
                .formatted(KEY_K1));

    assertThat(c.source()).isEqualTo("tether.yaml");
    assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 8080));
    assertThat(c.workers()).isEqualTo(4);
    assertThat(c.transport()).isEqualTo(Transport.IO_URING);
    assertThat(c.admin().listen()).isEqualTo(new HostPort("0.0.0.0", 9090));
    assertThat(c.admin().token()).isEqualTo("0123456789abcdef0123");
    assertThat(c.admin().toString()).doesNotContain("0123456789");
    assertThat(c.trustedProxies())
        .extracting(Cidr::toString)
        .containsExactly("10.0.0.0/8", "fd00:0:0:0:0:0:0:0/8", "192.168.1.7/32");
    assertThat(c.timeouts())
        .isEqualTo(
            new Timeouts(
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                Duration.ofSeconds(90),
                Duration.ofHours(2),
                Duration.ZERO));
    assertThat(c.limits()).isEqualTo(new Limits(4096, 32768, 50, 1 << 20));
    assertThat(c.accessLog()).isEqualTo(new AccessLog(false, AccessLog.Format.JSON));
    assertThat(c.pools()).containsOnlyKeys("web", "api");
    assertThat(c.pools().keySet()).containsExactly("web", "api");

    PoolConfig web = c.pools().get("web");
    assertThat(web.name()).isEqualTo("web");
    assertThat(web.algorithm()).isEqualTo("round-robin");
    assertThat(web.algorithmOptions()).isEmpty();
    assertThat(web.sessions()).isEqualTo(PoolConfig.SessionsMode.REPLICATED);
    assertThat(web.health())
        .isEqualTo(
            new HealthConfig("/healthz", Duration.ofSeconds(3), Duration.ofMillis(500), 1, 2));
    assertThat(web.connections()).isEqualTo(new ConnectionsConfig(8, 100, Duration.ofSeconds(30)));
    assertThat(web.servers())
        .containsExactly(
            new ServerConfig("s1", new HostPort("127.0.0.1", 9001), 2, "s1"),
            new ServerConfig("s2", new HostPort("::1", 9002), 1, "b"));

    AffinityConfig a = web.affinity();
    assertThat(a.mode()).isEqualTo(Mode.COOKIE);
    assertThat(a.onFailure()).isEqualTo(AffinityConfig.OnFailure.STRICT);
    assertThat(a.cookie())
        .isEqualTo(
            new CookieConfig(
                "SRV",
                "/",
                null,
                Duration.ofHours(1),
                true,
                true,
                CookieConfig.SameSite.NONE,
                true));
    assertThat(a.idleTimeout()).isEqualTo(Duration.ofMinutes(20));
    assertThat(a.absoluteTimeout()).isEqualTo(Duration.ofHours(4));
    assertThat(a.refreshInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(a.keys())
        .containsExactly(
            new KeyConfig("k2", bytes(40, (byte) 7)), new KeyConfig("k1", new byte[32]));
    assertThat(a.keys().getFirst().toString()).doesNotContain("Bwc");
    assertThat(a.balanceFactor()).isEqualTo(1.25);
    assertThat(a.migration()).isEqualTo(new MigrationConfig(Duration.ofMinutes(10), 5));
    assertThat(a.debugHeader()).isTrue();
    assertThat(a.appCookie()).isNull();
    assertThat(a.sourceIp()).isNull();
    assertThat(a.header()).isNull();
    assertThat(a.table()).isNull();

    PoolConfig api = c.pools().get("api");
    assertThat(api.servers())
        .containsExactly(new ServerConfig("a1", new HostPort("api.internal", 7000), 1, "a1"));
    assertThat(c.routes())
        .containsExactly(
            new RouteConfig("*.example.com", "/api/", "api"), new RouteConfig(null, "/", "web"));
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void defaultsAreAppliedToAMinimalConfig() throws Exception {
    TetherConfig c =
        parse(
            """
        listen: 127.0.0.1:0
        pools:
          web:
            servers:
              - { name: s1, address: 127.0.0.1:9001 }
        """);
    assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 0));
    assertThat(c.workers())
        .isEqualTo(Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 256));
    assertThat(c.transport()).isEqualTo(Transport.AUTO);
    assertThat(c.admin()).isNull();
    assertThat(c.trustedProxies()).isEmpty();
    assertThat(c.timeouts())
        .isEqualTo(
            new Timeouts(
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(75),
                Duration.ofSeconds(60),
                Duration.ofHours(1),
                Duration.ofSeconds(30)));
    assertThat(c.limits()).isEqualTo(new Limits(8192, 16384, 100, 8192));
    assertThat(c.accessLog()).isEqualTo(new AccessLog(true, AccessLog.Format.PLAIN));
    PoolConfig web = c.pools().get("web");
    assertThat(web.algorithm()).isEqualTo("round-robin");
    assertThat(web.affinity()).isEqualTo(AffinityConfig.NONE);
    assertThat(web.sessions()).isEqualTo(PoolConfig.SessionsMode.LOCAL);
    assertThat(web.health()).isNull();
    assertThat(web.connections()).isEqualTo(new ConnectionsConfig(1024, 0, Duration.ofSeconds(60)));
    assertThat(web.servers())
        .containsExactly(new ServerConfig("s1", new HostPort("127.0.0.1", 9001), 1, "s1"));
    assertThat(c.routes()).containsExactly(new RouteConfig(null, "/", "web"));
  }

  @Test
  void adminSectionDefaultsToLoopback9090() throws Exception {
    TetherConfig c =
        parse(
            """
        listen: 127.0.0.1:8080
        admin: {}
        pools: { web: { servers: [ { name: s1, address: "localhost:9001" } ] } }
        """);
    assertThat(c.admin()).isEqualTo(new AdminConfig(new HostPort("127.0.0.1", 9090), null));
  }

  @Test
  void designDocumentExampleIsValid() throws Exception {
    TetherConfig c =
        parse(
            """
        listen: 127.0.0.1:8080
        workers: 2                      # event loops; default = number of cores
        admin:
          listen: 127.0.0.1:9090
        pools:
          web:
            algorithm: round-robin      # see the balancing issue for the full list
            affinity:
              mode: cookie              # none | cookie | app-cookie | source-ip | header
              cookie: { name: TETHER }
            health: { path: /healthz, interval: 2s, rise: 2, fall: 3 }
            servers:
              - { name: s1, address: 127.0.0.1:9001, weight: 1 }
              - { name: s2, address: 127.0.0.1:9002, weight: 1 }
        routes:                         # optional when there is one pool
          - { path-prefix: /, pool: web }
        """);
    AffinityConfig a = c.pools().get("web").affinity();
    assertThat(a.cookie())
        .isEqualTo(
            new CookieConfig(
                "TETHER", "/", null, null, false, true, CookieConfig.SameSite.LAX, false));
    assertThat(a.keys()).isEmpty();
    assertThat(c.warnings())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.line()).isEqualTo(9);
              assertThat(w.path()).isEqualTo("pools.web.affinity.keys");
              assertThat(w.message()).contains("random key", "won't survive a restart");
            });
  }

  @Test
  void loadReadsAFileAndResolvesJwksRelativeToIt(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("keys.json"), "{\"keys\":[]}");
    Path file = dir.resolve("tether.yaml");
    Files.writeString(
        file,
        """
        listen: 127.0.0.1:8080
        pools:
          web:
            affinity:
              mode: header
              header:
                jwt: { algorithms: [RS256, ES256], jwks-file: keys.json, claim: uid }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        """);
    TetherConfig c = ConfigLoader.load(file, Map.<String, String>of()::get);
    assertThat(c.source()).isEqualTo(file.toString());
    HeaderConfig h = c.pools().get("web").affinity().header();
    assertThat(h.name()).isEqualTo("Authorization");
    assertThat(h.method()).isEqualTo(AffinityConfig.Method.HASH);
    assertThat(h.jwt())
        .isEqualTo(
            new JwtConfig(
                "uid",
                List.of("RS256", "ES256"),
                null,
                dir.resolve("keys.json").toAbsolutePath().normalize()));
  }

  @Test
  void aMissingFileIsReportedWithItsName(@TempDir Path dir) {
    Path file = dir.resolve("nope.yaml");
    ConfigException e = ConfigErrorsTest.failure(() -> ConfigLoader.load(file));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.source()).isEqualTo(file.toString());
              assertThat(p.line()).isZero();
              assertThat(p.message()).contains("cannot read", "NoSuchFile");
            });
    assertThat(e.getMessage()).startsWith(file + ": cannot read");
  }

  @Test
  void cidrsFromConfigMatchAddresses() throws Exception {
    TetherConfig c =
        parse(
            """
        listen: 127.0.0.1:8080
        trusted-proxies: [10.1.0.0/16]
        pools: { web: { servers: [ { name: s1, address: 127.0.0.1:9001 } ] } }
        """);
    Cidr cidr = c.trustedProxies().getFirst();
    assertThat(cidr.contains(InetAddress.getByName("10.1.200.3"))).isTrue();
    assertThat(cidr.contains(InetAddress.getByName("10.2.0.1"))).isFalse();
  }
}
