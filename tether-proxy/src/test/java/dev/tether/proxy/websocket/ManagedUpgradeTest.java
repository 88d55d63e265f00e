package dev.tether.proxy.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.WebSocketConfig;
import dev.tether.proxy.retry.Retries;
import dev.tether.proxy.route.Upstream;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the first handshake of a managed WebSocket carries, and which handshakes stay tunnels. */
class ManagedUpgradeTest {

  private static final WebSocketConfig MANAGED =
      new WebSocketConfig(
          WebSocketConfig.Mode.MANAGED,
          64,
          1 << 20,
          Duration.ofSeconds(10),
          Duration.ofSeconds(30));
  private static final PickRequest VIEW =
      new PickRequest() {
        @Override
        public String clientAddress() {
          return "127.0.0.1";
        }

        @Override
        public String path() {
          return "/ws";
        }

        @Override
        public String query() {
          return null;
        }

        @Override
        public String header(String name) {
          return null;
        }

        @Override
        public String cookie(String name) {
          return null;
        }
      };

  private static Upstream upstream(WebSocketConfig ws) {
    Pool pool =
        new Pool(
            "chat",
            List.of(new Server("s1", "127.0.0.1", 9001, 1)),
            Balancers.find("round-robin").orElseThrow(),
            Map.of(),
            BalanceEnv.SYSTEM);
    return new Upstream(
        pool,
        Map.of(),
        ConnectionsConfig.DEFAULTS,
        null,
        false,
        null,
        Retries.defaults(),
        null,
        null,
        ws);
  }

  private static HttpRequest handshake() {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws?room=1");
    r.headers().set(HttpHeaderNames.UPGRADE, "websocket");
    r.headers().set(HttpHeaderNames.CONNECTION, "Upgrade");
    r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
    r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==");
    r.headers()
        .set(
            HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, "permessage-deflate; client_max_window_bits");
    r.headers().set(HttpHeaderNames.COOKIE, "TETHER=abc");
    return r;
  }

  @Test
  void aManagedHandshakeLosesItsExtensionsAndGainsTheConnectionId() {
    HttpRequest r = handshake();
    ManagedUpgrade m = ManagedUpgrade.prepare(upstream(MANAGED), r, VIEW);
    assertThat(m).isNotNull();
    assertThat(r.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS)).isFalse();
    assertThat(r.headers().get(WebSocketHeaders.ID)).isEqualTo(m.id()).matches("[A-Za-z0-9_-]{43}");
    assertThat(r.headers().contains(WebSocketHeaders.RESUME))
        .as("a first connection is no resume")
        .isFalse();
    assertThat(r.headers().get(HttpHeaderNames.COOKIE)).isEqualTo("TETHER=abc");
    assertThat(ManagedUpgrade.prepare(upstream(MANAGED), handshake(), VIEW).id())
        .isNotEqualTo(m.id());
  }

  @Test
  void tunnelledPoolsAndOtherUpgradesAreLeftAlone() {
    HttpRequest r = handshake();
    assertThat(ManagedUpgrade.prepare(upstream(WebSocketConfig.DEFAULTS), r, VIEW)).isNull();
    assertThat(r.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS)).isTrue();
    HttpRequest h2c = handshake();
    h2c.headers().set(HttpHeaderNames.UPGRADE, "h2c");
    assertThat(ManagedUpgrade.prepare(upstream(MANAGED), h2c, VIEW)).isNull();
    HttpRequest old = handshake();
    old.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "8");
    assertThat(ManagedUpgrade.prepare(upstream(MANAGED), old, VIEW)).isNull();
  }

  @Test
  void idsAre256RandomBitsUrlSafe() {
    String a = ConnectionIds.next(new Random(1));
    assertThat(a).hasSize(43).matches("[A-Za-z0-9_-]+");
    assertThat(java.util.Base64.getUrlDecoder().decode(a)).hasSize(32);
    assertThat(ConnectionIds.next(new Random(1))).isEqualTo(a);
    assertThat(ConnectionIds.next(new Random(2))).isNotEqualTo(a);
  }

  @Test
  void theResumeHeaderSaysIdReceivedAndSent() {
    assertThat(WebSocketHeaders.resume("abc", 12, 7)).isEqualTo("abc; received=12; sent=7");
  }

  @Test
  void theAcceptKeyIsRfc6455s() {
    // RFC 6455 §1.3's example
    assertThat(BackendDialer.accept("dGhlIHNhbXBsZSBub25jZQ=="))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }
}
