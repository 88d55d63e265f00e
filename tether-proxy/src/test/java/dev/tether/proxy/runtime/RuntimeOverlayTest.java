package dev.tether.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.ServerConfig;
import dev.tether.proxy.config.ServerInput;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The merge rules of runtime changes over a reloaded file, one rule per test. */
class RuntimeOverlayTest {

  private static final Instant T = Instant.parse("2026-12-03T06:01:02Z");

  static TetherConfig file(String... servers) {
    StringBuilder sb = new StringBuilder("listen: 127.0.0.1:0\npools:\n  web:\n    servers:\n");
    for (String s : servers) {
      sb.append("      - { ").append(s).append(" }\n");
    }
    sb.append("  other:\n    servers:\n      - { name: o1, address: 127.0.0.1:9100 }\n");
    sb.append("routes:\n  - { path-prefix: /, pool: web }\n  - { path-prefix: /o, pool: other }\n");
    try {
      return ConfigLoader.parse(sb.toString(), "test.yaml", Map.<String, String>of()::get);
    } catch (Exception e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static final TetherConfig BASE =
      file("name: s1, address: 127.0.0.1:9001", "name: s2, address: 127.0.0.1:9002");

  private static List<String> names(TetherConfig c) {
    return c.pools().get("web").servers().stream().map(ServerConfig::name).toList();
  }

  private static ServerConfig server(TetherConfig c, String name) {
    return c.pools().get("web").servers().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElse(null);
  }

  @Test
  void anAddedServerIsAppendedAndSurvivesAReloadThatDoesNotNameIt() {
    RuntimeOverlay o =
        RuntimeOverlay.EMPTY.add("web", ServerInput.server("s3", "127.0.0.1:9003", 4), T);
    assertThat(names(o.apply(BASE))).containsExactly("s1", "s2", "s3");
    RuntimeOverlay.Rebased r =
        o.rebase(
            file(
                "name: s1, address: 127.0.0.1:9001",
                "name: s2, address: 127.0.0.1:9002, weight: 2"));
    assertThat(r.dropped()).isEmpty();
    assertThat(server(r.overlay().apply(BASE), "s3").weight()).isEqualTo(4);
    assertThat(BASE.pools().get("other")).isEqualTo(o.apply(BASE).pools().get("other"));
  }

  @Test
  void anAddedServerGivesWayToAFileServerWithItsNameAddressOrRoute() {
    RuntimeOverlay o =
        RuntimeOverlay.EMPTY.add("web", ServerInput.server("s3", "127.0.0.1:9003", 1), T);
    for (String clash :
        List.of(
            "name: s3, address: 127.0.0.1:9999",
            "name: x, address: 127.0.0.1:9003",
            "name: y, address: 127.0.0.1:9998, route: s3")) {
      TetherConfig next = file("name: s1, address: 127.0.0.1:9001", clash);
      RuntimeOverlay.Rebased r = o.rebase(next);
      assertThat(r.dropped()).as(clash).hasSize(1);
      assertThat(r.overlay().isEmpty()).isTrue();
      assertThat(r.overlay().apply(next)).isSameAs(next);
    }
  }

  @Test
  void aRemovedFileServerStaysRemovedWhileTheFileKeepsItUnchanged() {
    RuntimeOverlay o = RuntimeOverlay.EMPTY.remove("web", "s2", server(BASE, "s2"), T);
    assertThat(names(o.apply(BASE))).containsExactly("s1");
    RuntimeOverlay.Rebased same =
        o.rebase(
            file(
                "name: s1, address: 127.0.0.1:9001, weight: 3",
                "name: s2, address: 127.0.0.1:9002"));
    assertThat(same.dropped()).isEmpty();
    assertThat(names(same.overlay().apply(BASE))).containsExactly("s1");
  }

  @Test
  void aRemovedFileServerComesBackWhenTheFileChangesIt() {
    RuntimeOverlay o = RuntimeOverlay.EMPTY.remove("web", "s2", server(BASE, "s2"), T);
    TetherConfig changed =
        file("name: s1, address: 127.0.0.1:9001", "name: s2, address: 127.0.0.1:9012");
    RuntimeOverlay.Rebased r = o.rebase(changed);
    assertThat(r.dropped()).singleElement().asString().contains("s2", "the file changed it");
    assertThat(names(r.overlay().apply(changed))).containsExactly("s1", "s2");
    TetherConfig gone = file("name: s1, address: 127.0.0.1:9001");
    assertThat(o.rebase(gone).overlay().isEmpty()).isTrue();
  }

  @Test
  void aRuntimeWeightStaysUntilTheFilesWeightForThatServerChanges() {
    RuntimeOverlay o = RuntimeOverlay.EMPTY.weight("web", "s1", server(BASE, "s1"), 7, T);
    assertThat(server(o.apply(BASE), "s1").weight()).isEqualTo(7);
    TetherConfig movedAddress =
        file("name: s1, address: 127.0.0.1:9011", "name: s2, address: 127.0.0.1:9002");
    RuntimeOverlay.Rebased kept = o.rebase(movedAddress);
    assertThat(kept.dropped()).isEmpty();
    ServerConfig s1 = server(kept.overlay().apply(movedAddress), "s1");
    assertThat(s1.weight()).isEqualTo(7);
    assertThat(s1.address().port()).as("address comes from the file").isEqualTo(9011);
    TetherConfig reweighted =
        file("name: s1, address: 127.0.0.1:9001, weight: 3", "name: s2, address: 127.0.0.1:9002");
    RuntimeOverlay.Rebased r = kept.overlay().rebase(reweighted);
    assertThat(r.dropped()).singleElement().asString().contains("weight 3");
    assertThat(server(r.overlay().apply(reweighted), "s1").weight()).isEqualTo(3);
  }

  @Test
  void settingAFileServerBackToItsFileWeightForgetsTheChange() {
    RuntimeOverlay o =
        RuntimeOverlay.EMPTY
            .weight("web", "s1", server(BASE, "s1"), 7, T)
            .weight("web", "s1", server(BASE, "s1"), 1, T);
    assertThat(o.isEmpty()).isTrue();
  }

  @Test
  void weightAndRemovalOfARuntimeServerChangeOnlyThatServer() {
    RuntimeOverlay o =
        RuntimeOverlay.EMPTY
            .add("web", ServerInput.server("s3", "127.0.0.1:9003", 1), T)
            .weight("web", "s3", null, 9, T.plusSeconds(5));
    RuntimeOverlay.Added a = o.changes("web").added().get("s3");
    assertThat(a.server().weight()).isEqualTo(9);
    assertThat(a.at()).isEqualTo(T);
    assertThat(a.weightAt()).isEqualTo(T.plusSeconds(5));
    assertThat(o.changes("web").weights()).isEmpty();
    assertThat(o.remove("web", "s3", null, T).isEmpty()).isTrue();
  }

  @Test
  void aFileServerRemovedAndAddedAgainDifferentlyIsTheRuntimeOneUntilTheFileChangesIt() {
    RuntimeOverlay o =
        RuntimeOverlay.EMPTY
            .remove("web", "s2", server(BASE, "s2"), T)
            .add("web", ServerInput.server("s2", "127.0.0.1:9022", 5), T);
    TetherConfig e = o.apply(BASE);
    assertThat(names(e)).containsExactly("s1", "s2");
    assertThat(server(e, "s2").address().port()).isEqualTo(9022);
    assertThat(o.rebase(BASE).dropped()).isEmpty();
    TetherConfig changed =
        file("name: s1, address: 127.0.0.1:9001", "name: s2, address: 127.0.0.1:9032");
    RuntimeOverlay.Rebased r = o.rebase(changed);
    assertThat(r.dropped()).hasSize(2);
    assertThat(server(r.overlay().apply(changed), "s2").address().port()).isEqualTo(9032);
  }

  @Test
  void aPoolThatLeavesTheFileTakesItsChangesWithIt() {
    RuntimeOverlay o =
        RuntimeOverlay.EMPTY.add("other", ServerInput.server("o2", "127.0.0.1:9101", 1), T);
    String yaml =
        "listen: 127.0.0.1:0\npools:\n  web:\n    servers:\n      - { name: s1, address: 127.0.0.1:9001 }\n";
    TetherConfig next;
    try {
      next = ConfigLoader.parse(yaml, "test.yaml", Map.<String, String>of()::get);
    } catch (Exception ex) {
      throw new IllegalArgumentException(ex);
    }
    RuntimeOverlay.Rebased r = o.rebase(next);
    assertThat(r.dropped()).singleElement().asString().contains("pool other");
    assertThat(r.overlay().isEmpty()).isTrue();
    PoolConfig web = r.overlay().apply(next).pools().get("web");
    assertThat(web.servers()).hasSize(1);
  }
}
