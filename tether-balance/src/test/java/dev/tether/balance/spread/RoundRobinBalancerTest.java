package dev.tether.balance.spread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Server;
import dev.tether.balance.ServerLoad;
import dev.tether.balance.ServerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundRobinBalancerTest {

  private static Member member(String name, ServerState state) {
    return new Member(new Server(name, "127.0.0.1", 9000, 1), state, new ServerLoad(), 0);
  }

  @Test
  void visitsEachServerInTurn() {
    var picker =
        new RoundRobinBalancer()
            .newPicker(
                List.of(
                    member("a", ServerState.UP),
                    member("b", ServerState.UP),
                    member("c", ServerState.UP)),
                Map.of(),
                BalanceEnv.SYSTEM);
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      order.add(picker.pick(PickRequest.EMPTY).name());
    }
    assertThat(order).containsExactly("a", "b", "c", "a", "b", "c");
  }

  @Test
  void skipsServersThatTakeNoNewWork() {
    var picker =
        new RoundRobinBalancer()
            .newPicker(
                List.of(
                    member("a", ServerState.DOWN),
                    member("b", ServerState.UP),
                    member("c", ServerState.DRAINING)),
                Map.of(),
                BalanceEnv.SYSTEM);
    for (int i = 0; i < 5; i++) {
      assertThat(picker.pick(PickRequest.EMPTY).name()).isEqualTo("b");
    }
  }

  @Test
  void saysNoneWhenNothingIsAvailable() {
    var picker =
        new RoundRobinBalancer()
            .newPicker(List.of(member("a", ServerState.DISABLED)), Map.of(), BalanceEnv.SYSTEM);
    assertThat(picker.pick(PickRequest.EMPTY)).isNull();
  }

  @Test
  void staysInRangeWhenTheCounterOverflows() {
    Member[] ms = {
      member("a", ServerState.UP), member("b", ServerState.UP), member("c", ServerState.UP)
    };
    var picker = new RoundRobinBalancer.RoundRobinPicker(ms, Integer.MAX_VALUE - 1);
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      order.add(picker.pick(PickRequest.EMPTY).name());
    }
    // MAX-1 % 3 = 0 (a), MAX % 3 = 1 (b), then MIN & MAX = 0 (a), 1 (b)
    assertThat(order).containsExactly("a", "b", "a", "b");
  }
}
