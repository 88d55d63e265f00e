package dev.tether.proxy.config;

import static dev.tether.proxy.config.ConfigErrorsTest.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.proxy.config.yaml.ConfigLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebSocketConfigTest {

  private static final String SERVERS = ConfigErrorsTest.SERVERS;

  private static PoolConfig pool(String poolKeys) throws ConfigException {
    TetherConfig c =
        ConfigLoader.parse(
            "listen: 127.0.0.1:8080\npools:\n  web:\n" + poolKeys + SERVERS,
            "tether.yaml",
            Map.<String, String>of()::get);
    return c.pools().get("web");
  }

  @Test
  void absentKeysTunnelAsBefore() throws ConfigException {
    WebSocketConfig w = pool("").webSocket();
    assertThat(w).isEqualTo(WebSocketConfig.DEFAULTS);
    assertThat(w.managed()).isFalse();
    assertThat(w)
        .isEqualTo(
            new WebSocketConfig(
                WebSocketConfig.Mode.TUNNEL,
                64,
                1024 * 1024,
                Duration.ofSeconds(10),
                Duration.ofSeconds(30)));
  }

  @Test
  void everyKeyIsRead() throws ConfigException {
    WebSocketConfig w =
        pool("""
            websocket: managed
            websocket-buffer: 200
            websocket-buffer-size: 256k
            websocket-resume-timeout: 4s
            websocket-ping: 15s
        """)
            .webSocket();
    assertThat(w)
        .isEqualTo(
            new WebSocketConfig(
                WebSocketConfig.Mode.MANAGED,
                200,
                256 * 1024,
                Duration.ofSeconds(4),
                Duration.ofSeconds(15)));
    assertThat(pool("    websocket: managed\n    websocket-ping: 0s\n").webSocket().ping())
        .isZero();
    assertThat(pool("    websocket: tunnel\n").webSocket().managed()).isFalse();
  }

  @Test
  void anUnknownModeNamesFileLineKeyAndTheAllowedValues() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            websocket: sticky
        """
                + SERVERS);
    assertThat(p.source()).isEqualTo("tether.yaml");
    assertThat(p.line()).isEqualTo(4);
    assertThat(p.path()).isEqualTo("pools.web.websocket");
    assertThat(p.message()).isEqualTo("'sticky' is not allowed; use tunnel or managed");
  }

  @Test
  void badValuesSayWhatIsAllowed() {
    ConfigProblem buffer =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            websocket: managed
            websocket-buffer: 0
        """
                + SERVERS);
    assertThat(buffer.path()).isEqualTo("pools.web.websocket-buffer");
    assertThat(buffer.line()).isEqualTo(5);
    assertThat(buffer.message()).isEqualTo("0 is out of range; use 1..100000");
    assertThat(
            only("""
        listen: 127.0.0.1:8080
        pools:
          web:
            websocket: managed
            websocket-buffer-size: 1g
        """
                    + SERVERS)
                .message())
        .isEqualTo("'1g' is out of range; use 1k..64m");
    assertThat(
            only("""
        listen: 127.0.0.1:8080
        pools:
          web:
            websocket: managed
            websocket-resume-timeout: 10ms
        """
                    + SERVERS)
                .message())
        .startsWith("'10ms' is too short; use at least 100ms");
    ConfigProblem ping =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            websocket: managed
            websocket-ping: 200ms
        """
                + SERVERS);
    assertThat(ping.path()).isEqualTo("pools.web.websocket-ping");
    assertThat(ping.message())
        .isEqualTo("'200ms' is too short; use at least 1s, e.g. 30s, or 0s for no pings");
  }

  @Test
  void managedKeysWithoutManagedModeAreAnError() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            websocket-buffer: 10
        """
                + SERVERS);
    assertThat(p.path()).isEqualTo("pools.web.websocket-buffer");
    assertThat(p.line()).isEqualTo(4);
    assertThat(p.message())
        .isEqualTo(
            "applies only to managed WebSocket connections; add `websocket: managed` to the pool or remove it");
  }

  @Test
  void theRecordRefusesWhatTheReaderNeverBuilds() {
    assertThatThrownBy(
            () ->
                new WebSocketConfig(
                    WebSocketConfig.Mode.MANAGED, 0, 1, Duration.ofSeconds(1), Duration.ZERO))
        .hasMessageContaining("websocket-buffer");
    assertThatThrownBy(
            () ->
                new WebSocketConfig(
                    WebSocketConfig.Mode.MANAGED, 1, 1, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("websocket-resume-timeout");
  }
}
