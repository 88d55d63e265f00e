package dev.tether.session.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import dev.tether.testing.net.FreePorts;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GridSessionStoreProviderTest {

  private static final Clock CLOCK = Clock.systemUTC();

  @Test
  void gridStoreIsFoundByNameAndStartsASingleMember() {
    int port = FreePorts.loopback(1).get(0);
    Map<String, String> s =
        Map.of(
            "initial-members", "127.0.0.1:" + port,
            "bind-port", "" + port,
            "cluster-name", "tether-provider-" + UUID.randomUUID(),
            "join-timeout", "500ms");
    assertThat(SessionStoreRegistry.providers()).containsKey("grid");
    try (SessionStore store = SessionStoreRegistry.create("grid", s, CLOCK)) {
      assertThat(CircuitBreakingStore.unwrap(store)).isInstanceOf(GridSessionStore.class);
      String id = "provider-test-" + UUID.randomUUID();
      SessionRecord r =
          SessionRecord.create(
              id, CLOCK.instant(), Duration.ofMinutes(5), Duration.ofHours(1), null, Map.of());
      assertThat(store.create(r).isSaved()).isTrue();
      assertThat(store.load(id)).contains(r);
      assertThat(((GridSessionStore) CircuitBreakingStore.unwrap(store)).member().members())
          .hasSize(1);
    }
  }

  @Test
  void settingsAreParsedWithDefaults() {
    byte[] key = new byte[16];
    key[3] = 7;
    Map<String, String> s = new HashMap<>();
    s.put("initial-members", "127.0.0.1:7800, localhost:7801");
    s.put("encryption", "symmetric");
    s.put("encryption-key", Base64.getEncoder().encodeToString(key));
    s.put("owners", "3");
    s.put("expiry-grace", "1h");
    s.put("failure-timeout", "3s");
    s.put("instance-name", "s2");

    GridSettings g = GridSessionStoreProvider.settings(s);

    assertThat(g.clusterName()).isEqualTo("tether-sessions");
    assertThat(g.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(g.bindPort()).isEqualTo(7800);
    assertThat(g.portRange()).isZero();
    assertThat(g.initialMembers())
        .extracting(InetSocketAddress::getPort)
        .containsExactly(7800, 7801);
    assertThat(g.owners()).isEqualTo(3);
    assertThat(g.encryptionKey()).isEqualTo(key);
    assertThat(g.joinTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(g.expiryGrace()).isEqualTo(Duration.ofHours(1));
    assertThat(g.failureTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(g.instanceName()).isEqualTo("s2");
    assertThat(
            GridSessionStoreProvider.settings(Map.of("initial-members", "127.0.0.1:7800"))
                .instanceName())
        .isNull();
    assertThat(
            GridSessionStoreProvider.settings(Map.of("initial-members", "127.0.0.1:7800"))
                .failureTimeout())
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(g.toString())
        .contains("encrypted")
        .doesNotContain(Base64.getEncoder().encodeToString(key));
  }

  @Test
  void badSettingsSayWhatIsAllowed() {
    assertBad(Map.of(), "'initial-members'");
    assertBad(Map.of("initial-members", "10.0.0.1"), "expected host:port");
    assertBad(Map.of("initial-members", "10.0.0.1:99999"), "1..65535");
    assertBad(Map.of("initial-members", "127.0.0.1:7800", "owners", "0"), "owners 0 must be 1..10");
    assertBad(
        Map.of("initial-members", "127.0.0.1:7800", "owners", "two"), "expected a whole number");
    assertBad(Map.of("initial-members", "127.0.0.1:7800", "bind-port", "0"), "1..65535");
    assertBad(Map.of("initial-members", "127.0.0.1:7800", "port-range", "500"), "0..100");
    assertBad(
        Map.of("initial-members", "127.0.0.1:7800", "encryption", "tls"),
        "allowed: none, symmetric");
    assertBad(
        Map.of("initial-members", "127.0.0.1:7800", "encryption", "symmetric"), "'encryption-key'");
    assertBad(
        Map.of(
            "initial-members",
            "127.0.0.1:7800",
            "encryption",
            "symmetric",
            "encryption-key",
            "AAAA"),
        "must be 16, 24 or 32 bytes");
    assertBad(
        Map.of("initial-members", "127.0.0.1:7800", "encryption-key", "AAAA"),
        "only allowed with encryption=symmetric");
    assertBad(Map.of("initial-members", "127.0.0.1:7800", "join-timeout", "2 sec"), "like 500ms");
    assertBad(
        Map.of("initial-members", "127.0.0.1:7800", "failure-timeout", "500ms"), "must be 1s..5m");
    assertBad(
        Map.of("initial-members", "127.0.0.1:7800", "members", "x"), "allowed: [bind-address");
    assertBad(Map.of("initial-members", "127.0.0.1:7800", "cluster-name", " "), "cluster name");
    assertBad(
        Map.of("initial-members", "127.0.0.1:7800", "instance-name", "s 2"),
        "instance name 's 2' must be 1..64 letters, digits");
  }

  @Test
  void theFailureTimeoutSetsTheHeartbeatDetection() throws Exception {
    GridSettings g =
        GridSettings.loopback("c", 7800, List.of(new InetSocketAddress("127.0.0.1", 7800)))
            .withFailureTimeout(Duration.ofSeconds(3));
    try (org.jgroups.JChannel channel = JGroupsStack.channel(g)) {
      var fd = channel.getProtocolStack().findProtocol(org.jgroups.protocols.FD_ALL3.class);
      var verify =
          channel.getProtocolStack().findProtocol(org.jgroups.protocols.VERIFY_SUSPECT2.class);
      assertThat(((org.jgroups.protocols.FD_ALL3) fd).getTimeout()).isEqualTo(3_000);
      assertThat(((org.jgroups.protocols.FD_ALL3) fd).getInterval()).isEqualTo(600);
      assertThat(((org.jgroups.protocols.VERIFY_SUSPECT2) verify).getTimeout()).isEqualTo(600);
    }
  }

  @Test
  void settingsRecordRejectsNonsense() {
    List<InetSocketAddress> one = List.of(new InetSocketAddress("127.0.0.1", 7800));
    assertThatThrownBy(() -> GridSettings.loopback("c", 7800, List.of()))
        .hasMessageContaining("at least one host:port");
    assertThatThrownBy(() -> GridSettings.loopback("c", 7800, one).withEncryptionKey(new byte[5]))
        .hasMessageContaining("5 bytes must be 16, 24 or 32");
  }

  private static void assertBad(Map<String, String> settings, String message) {
    assertThatThrownBy(() -> GridSessionStoreProvider.settings(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
