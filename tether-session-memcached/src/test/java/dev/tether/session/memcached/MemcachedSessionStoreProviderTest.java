package dev.tether.session.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.spi.SessionStoreRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings of {@code memcached}, validated without connecting. */
class MemcachedSessionStoreProviderTest {

  @Test
  void isFoundByName() {
    assertThat(SessionStoreRegistry.providers()).containsKey("memcached");
  }

  @Test
  void readsEverySetting() {
    MemcachedSessionStoreConfig c =
        MemcachedSessionStoreProvider.config(
            Map.of(
                "nodes", "127.0.0.1:11211, cache-2:11212",
                "key-prefix", "shop:",
                "timeout", "250ms",
                "retry", "2s",
                "safety-margin", "5m",
                "expiry-bucket", "30s"));

    assertThat(c.nodes())
        .containsExactly(
            InetSocketAddress.createUnresolved("127.0.0.1", 11211),
            InetSocketAddress.createUnresolved("cache-2", 11212));
    assertThat(c.keyPrefix()).isEqualTo("shop:");
    assertThat(c.timeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.retry()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.safetyMargin()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.expiryBucket()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void defaults() {
    MemcachedSessionStoreConfig c = MemcachedSessionStoreProvider.config(Map.of("nodes", "h:1"));
    assertThat(c.keyPrefix()).isEqualTo("tether:session:");
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.safetyMargin()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void badSettingsSayWhatIsAllowed() {
    assertThatThrownBy(() -> MemcachedSessionStoreProvider.config(Map.of()))
        .hasMessageContaining("needs the setting 'nodes'");
    assertThatThrownBy(() -> MemcachedSessionStoreProvider.config(Map.of("nodes", "h:0")))
        .hasMessageContaining("'h:0'")
        .hasMessageContaining("port 1..65535");
    assertThatThrownBy(() -> MemcachedSessionStoreProvider.config(Map.of("nodes", "h")))
        .hasMessageContaining("host:port");
    assertThatThrownBy(() -> MemcachedSessionStoreProvider.config(Map.of("nodes", "h:1,h:1")))
        .hasMessageContaining("twice");
    assertThatThrownBy(
            () -> MemcachedSessionStoreProvider.config(Map.of("nodes", "h:1", "timeout", "soon")))
        .hasMessageContaining("'timeout' is 'soon'")
        .hasMessageContaining("500ms");
    assertThatThrownBy(
            () -> MemcachedSessionStoreProvider.config(Map.of("nodes", "h:1", "key-prefix", "a b")))
        .hasMessageContaining("printable ASCII");
    assertThatThrownBy(
            () -> MemcachedSessionStoreProvider.config(Map.of("nodes", "h:1", "uri", "x")))
        .hasMessageContaining("unknown setting(s) [uri]");
  }
}
