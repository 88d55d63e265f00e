package dev.tether.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BalancersTest {

  @Test
  void registersEveryBuiltInAlgorithmByName() {
    assertThat(Balancers.all().keySet())
        .containsExactly(
            "round-robin",
            "weighted-round-robin",
            "least-connections",
            "least-response-time",
            "power-of-two",
            "random",
            "ip-hash",
            "uri-hash",
            "header-hash",
            "cookie-hash");
    assertThat(Balancers.find("maglev")).isEmpty();
  }

  @Test
  void everyAlgorithmSaysWhenToChooseItAndValidatesItsOptionKeys() {
    for (BalancerProvider p : Balancers.all().values()) {
      assertThat(p.description()).as(p.name()).containsIgnoringCase("choose it").endsWith(".");
      assertThat(p.validate(Map.of("no-such-option", "1")))
          .as(p.name())
          .anySatisfy(problem -> assertThat(problem).contains("no option 'no-such-option'"));
    }
    assertThat(Balancers.find("random").orElseThrow().optionKeys()).containsExactly("slow-start");
    assertThat(Balancers.find("uri-hash").orElseThrow().optionKeys())
        .containsExactly("hash-method", "hash-query", "balance-factor", "virtual-nodes");
  }

  @Test
  void everyAlgorithmAnswersNoneForAnEmptyOrUnavailablePool() {
    Member down =
        new Member(
            new Server("a", "127.0.0.1", 9000, 1),
            ServerState.DOWN,
            new ServerLoad(),
            Member.UP_FROM_START);
    for (BalancerProvider p : Balancers.all().values()) {
      Map<String, String> options =
          p.name().equals("header-hash") || p.name().equals("cookie-hash")
              ? Map.of("hash-name", "k")
              : Map.of();
      assertThat(p.newPicker(List.of(), options, BalanceEnv.SYSTEM).pick(PickRequest.EMPTY))
          .as(p.name())
          .isNull();
      assertThat(p.newPicker(List.of(down), options, BalanceEnv.SYSTEM).pick(PickRequest.EMPTY))
          .as(p.name())
          .isNull();
    }
  }

  @Test
  void aPoolPublishesANewPickerWhenAServerChangesState() {
    Pool pool =
        new Pool(
            "web",
            List.of(new Server("a", "127.0.0.1", 9001, 1), new Server("b", "127.0.0.1", 9002, 1)),
            Balancers.find("least-connections").orElseThrow(),
            Map.of(),
            BalanceEnv.SYSTEM);
    PoolSnapshot before = pool.snapshot();
    pool.setState("a", ServerState.DRAINING);
    PoolSnapshot after = pool.snapshot();
    assertThat(after).isNotSameAs(before);
    for (int i = 0; i < 20; i++) {
      assertThat(after.picker().pick(PickRequest.EMPTY).name()).isEqualTo("b");
    }
    // Load counters survive the rebuild and add up in the pool's group.
    after.member("b").load().start();
    assertThat(before.member("b").load().inFlight()).isEqualTo(1);
    assertThat(after.member("a").load().group().inFlight()).isEqualTo(1);
  }
}
