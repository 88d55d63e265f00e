package dev.tether.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SendProxyConfigTest {

  @Test
  void aPoolsConnectionsMayStartWithAProxyHeader() throws Exception {
    TetherConfig c =
        ConfigLoaderTest.parse(
            """
        listen: 127.0.0.1:8080
        pools:
          one:
            connections: { send-proxy: v1 }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
          two:
            connections: { send-proxy: v2, max-idle-per-server: 4 }
            servers: [ { name: s2, address: 127.0.0.1:9002 } ]
          plain:
            servers: [ { name: s3, address: 127.0.0.1:9003 } ]
        routes:
          - { path-prefix: /one, pool: one }
          - { path-prefix: /two, pool: two }
          - { path-prefix: /, pool: plain }
        """);

    assertThat(c.pools().get("one").connections().sendProxy())
        .isEqualTo(ConnectionsConfig.ProxyProtocolVersion.V1);
    assertThat(c.pools().get("two").connections().sendProxy())
        .isEqualTo(ConnectionsConfig.ProxyProtocolVersion.V2);
    assertThat(c.pools().get("two").connections().maxIdlePerServer()).isEqualTo(4);
    assertThat(c.pools().get("plain").connections().sendProxy()).isNull();
  }

  @Test
  void anUnknownVersionAndASharedAddressThatDisagreesAreErrors() {
    ConfigException e =
        ConfigErrorsTest.failure(
            () ->
                ConfigLoaderTest.parse(
                    """
        listen: 127.0.0.1:8080
        pools:
          a:
            connections: { send-proxy: v3 }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
          b:
            connections: { send-proxy: v2 }
            servers: [ { name: s2, address: 127.0.0.1:9002 } ]
          c:
            servers: [ { name: s3, address: 127.0.0.1:9002 } ]
        routes:
          - { path-prefix: /a, pool: a }
          - { path-prefix: /b, pool: b }
          - { path-prefix: /, pool: c }
        """));

    assertThat(e.problems())
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder("pools.a.connections.send-proxy", "pools.c.servers");
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("pools.a.connections.send-proxy"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("'v3' is not allowed; use v1 or v2"));
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("pools.c.servers"))
        .singleElement()
        .satisfies(
            p -> assertThat(p.message()).contains("whose connections.send-proxy settings differ"));
  }

  @Test
  void managedWebSocketsAndSendProxyAreNotCombined() {
    ConfigException e =
        ConfigErrorsTest.failure(
            () ->
                ConfigLoaderTest.parse(
                    """
        listen: 127.0.0.1:8080
        pools:
          chat:
            websocket: managed
            connections: { send-proxy: v2 }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        """));
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("pools.chat.websocket");
              assertThat(p.message()).contains("cannot be combined with connections.send-proxy");
            });
  }
}
