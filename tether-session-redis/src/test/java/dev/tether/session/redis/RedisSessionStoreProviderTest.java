package dev.tether.session.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.redis.RedisSessionStoreConfig.Mode;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisSessionStoreProviderTest {

  @Test
  void settingsMapToAConfiguration() {
    RedisSessionStoreConfig c =
        RedisSessionStoreProvider.config(
            Map.of(
                "uri", "redis://a:7000, redis://b:7000",
                "mode", "cluster",
                "key-prefix", "app:",
                "safety-margin", "90s",
                "timeout", "PT2S"));
    assertThat(c.uris()).containsExactly("redis://a:7000", "redis://b:7000");
    assertThat(c.mode()).isEqualTo(Mode.CLUSTER);
    assertThat(c.buckets()).isEqualTo(RedisSessionStoreProvider.DEFAULT_CLUSTER_BUCKETS);
    assertThat(c.keyPrefix()).isEqualTo("app:");
    assertThat(c.safetyMargin()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(2));

    RedisSessionStoreConfig s =
        RedisSessionStoreProvider.config(
            Map.of("uri", "redis-sentinel://s1:26379,s2:26379/0#mymaster"));
    assertThat(s.mode()).isEqualTo(Mode.SENTINEL);
    assertThat(s.buckets()).isEqualTo(1);
    assertThat(s.keyPrefix()).isEqualTo(RedisSessionStoreConfig.DEFAULT_PREFIX);
  }

  @Test
  void badSettingsSayWhatIsAllowed() {
    assertThatThrownBy(() -> RedisSessionStoreProvider.config(Map.of()))
        .hasMessageContaining("'uri'");
    assertThatThrownBy(
            () -> RedisSessionStoreProvider.config(Map.of("uri", "redis://x", "host", "x")))
        .hasMessageContaining("[host]")
        .hasMessageContaining(
            "allowed: [buckets, connect-timeout, key-prefix, mode, safety-margin, timeout, uri]");
    assertThatThrownBy(
            () -> RedisSessionStoreProvider.config(Map.of("uri", "redis://x", "mode", "ring")))
        .hasMessageContaining("'mode' is 'ring'")
        .hasMessageContaining("standalone, sentinel, cluster");
    assertThatThrownBy(
            () -> RedisSessionStoreProvider.config(Map.of("uri", "redis://x", "buckets", "0")))
        .hasMessageContaining("1..16384");
    assertThatThrownBy(
            () -> RedisSessionStoreProvider.config(Map.of("uri", "redis://x", "buckets", "many")))
        .hasMessageContaining("'buckets' is 'many'");
    assertThatThrownBy(
            () ->
                RedisSessionStoreProvider.config(
                    Map.of("uri", "redis://x", "safety-margin", "ten minutes")))
        .hasMessageContaining("'safety-margin' is 'ten minutes'")
        .hasMessageContaining("10m");
    assertThatThrownBy(
            () -> RedisSessionStoreProvider.config(Map.of("uri", "redis://x", "timeout", "0s")))
        .hasMessageContaining("positive duration");
    assertThatThrownBy(
            () ->
                RedisSessionStoreProvider.config(Map.of("uri", "redis://x", "key-prefix", "a{b}")))
        .hasMessageContaining("must not contain '{' or '}'");
    assertThatThrownBy(() -> RedisSessionStoreProvider.config(Map.of("uri", "redis://a,redis://b")))
        .hasMessageContaining("exactly one URI");
  }

  @Test
  void anUnparsableUriIsReportedBeforeConnecting() {
    assertThatThrownBy(
            () ->
                new RedisSessionStore(
                    new RedisSessionStoreConfig(
                        List.of("http://nowhere"),
                        Mode.STANDALONE,
                        "p:",
                        1,
                        Duration.ofMinutes(1),
                        Duration.ofSeconds(1)),
                    Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad Redis URI");
  }

  @Test
  void redisStoreIsFoundByName() {
    String uri = RedisTestServer.uri();
    assertThat(SessionStoreRegistry.providers()).containsKey("redis");
    try (SessionStore s =
        SessionStoreRegistry.create(
            "redis",
            Map.of("uri", uri, "key-prefix", RedisTestServer.uniquePrefix("provider")),
            Clock.systemUTC())) {
      assertThat(s)
          .isInstanceOf(CircuitBreakingStore.class); // a store with I/O, guarded by default
      assertThat(CircuitBreakingStore.unwrap(s)).isInstanceOf(RedisSessionStore.class);
      assertThat(s.load("nobody")).isEmpty();
    }
  }
}
