package dev.tether.balance.spread;

import static dev.tether.balance.Fixtures.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.tether.balance.Fixtures;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import dev.tether.balance.Server;
import dev.tether.balance.ServerLoad;
import dev.tether.balance.ServerState;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Least connections over a pool's counter slab: the one-pass scan agrees with the exact scores. */
class LeastConnectionsSlabTest {

  private static Picker picker(List<Member> members) {
    return new LeastConnectionsBalancer().newPicker(members, Map.of(), env(7));
  }

  private static Member member(ServerLoad.Group group, String name, int weight, ServerState state) {
    return new Member(
        new Server(name, "127.0.0.1", 9000, weight),
        state,
        new ServerLoad(group),
        Member.UP_FROM_START);
  }

  /**
   * {@code n} members of one group with random weights 1..6 and 0..29 in flight; every fifth DOWN
   * when {@code gaps}.
   */
  private static List<Member> pool(
      ServerLoad.Group group, int n, SplittableRandom random, boolean gaps) {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ServerState state = gaps && i % 5 == 2 ? ServerState.DOWN : ServerState.UP;
      Member m = member(group, "s" + i, 1 + random.nextInt(6), state);
      int inFlight = random.nextInt(30);
      for (int k = 0; k < inFlight; k++) {
        m.load().start();
      }
      members.add(m);
    }
    return members;
  }

  @Test
  void aPoolInOneSlabIsScannedThereAndPicksTheExactMinimumAroundIneligibleServers() {
    SplittableRandom random = new SplittableRandom(3);
    for (int round = 0; round < 500; round++) {
      ServerLoad.Group group = new ServerLoad.Group(100);
      List<Member> members = pool(group, 50, random, true);
      Picker picker = picker(members);
      assertThat(((LeastConnectionsBalancer.LeastConnectionsPicker) picker).scansSlab()).isTrue();
      Member picked = picker.pick(PickRequest.EMPTY);
      assertThat(picked.state()).isEqualTo(ServerState.UP);
      for (Member other : members) {
        if (other.state() == ServerState.UP) {
          assertThat(compareScores(picked, other))
              .as("picked %s over %s", picked, other)
              .isLessThanOrEqualTo(0);
        }
      }
    }
  }

  @Test
  void membersSpreadOverSeveralSlabsAreScannedThroughTheirLoadsWithTheSameResult() {
    SplittableRandom random = new SplittableRandom(5);
    ServerLoad.Group group = new ServerLoad.Group(0); // 16 cells, then a slab of 32, then 96
    List<Member> members = pool(group, 60, random, false);
    Picker picker = picker(members);
    assertThat(((LeastConnectionsBalancer.LeastConnectionsPicker) picker).scansSlab()).isFalse();
    Member picked = picker.pick(PickRequest.EMPTY);
    for (Member other : members) {
      assertThat(compareScores(picked, other)).isLessThanOrEqualTo(0);
    }
  }

  @Test
  void tiesInTheSlabAreSharedUniformlyIncludingTheLastCell() {
    // Six idle servers of one group, the pool's third server DOWN in between: five tie. Each
    // should win 1/5 of 100 000 picks; σ = √(100 000 × 0.2 × 0.8) ≈ 126, five σ ≈ 632.
    ServerLoad.Group group = new ServerLoad.Group(6);
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      members.add(member(group, "s" + i, 1, i == 2 ? ServerState.DOWN : ServerState.UP));
    }
    Map<String, Integer> counts = Fixtures.counts(picker(members), PickRequest.EMPTY, 100_000);
    assertThat(counts).containsOnlyKeys("s0", "s1", "s3", "s4", "s5");
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isCloseTo(20_000, offset(632)));
  }

  @Test
  void pickExcludingInOneSlabSkipsTheExcluded() {
    ServerLoad.Group group = new ServerLoad.Group(3);
    Member a = member(group, "a", 1, ServerState.UP);
    Member b = member(group, "b", 1, ServerState.UP);
    Member c = member(group, "c", 1, ServerState.UP);
    b.load().start();
    c.load().start();
    c.load().start();
    Picker picker = picker(List.of(a, b, c));
    assertThat(picker.pick(PickRequest.EMPTY)).isSameAs(a);
    assertThat(picker.pickExcluding(PickRequest.EMPTY, a)).isSameAs(b);
  }

  @Test
  void picksStayValidWhileOtherThreadsMoveTheCountersAndExactOnceTheyStop()
      throws InterruptedException {
    // Three threads start and finish requests on a 100-server slab while this thread picks: every
    // pick must be an UP member (a torn or out-of-range read would throw or return a DOWN one).
    // When the updaters stop, each left exactly its own requests in flight, so the pick is exact.
    SplittableRandom random = new SplittableRandom(9);
    ServerLoad.Group group = new ServerLoad.Group(200);
    List<Member> members = pool(group, 100, random, true);
    Picker picker = picker(members);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> updaters = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int offsetT = t;
      Thread u =
          new Thread(
              () -> {
                try {
                  go.await();
                  int k = offsetT;
                  while (!stop.get()) {
                    ServerLoad load = members.get(k % members.size()).load();
                    load.start();
                    load.finish(1_000, k);
                    k += 7;
                  }
                  members.get(offsetT).load().start(); // one left in flight, on servers s0, s1, s2
                } catch (Throwable e) {
                  failure.set(e);
                }
              },
              "slab-updater-" + t);
      u.start();
      updaters.add(u);
    }
    go.countDown();
    for (int i = 0; i < 200_000; i++) {
      assertThat(picker.pick(PickRequest.EMPTY).state()).isEqualTo(ServerState.UP);
    }
    stop.set(true);
    for (Thread u : updaters) {
      u.join();
    }
    assertThat(failure.get()).isNull();
    Member picked = picker.pick(PickRequest.EMPTY);
    for (Member other : members) {
      if (other.state() == ServerState.UP) {
        assertThat(compareScores(picked, other)).isLessThanOrEqualTo(0);
      }
    }
  }

  /** Sign of (in flight + 1) / weight of {@code x} minus that of {@code y}, in exact arithmetic. */
  private static int compareScores(Member x, Member y) {
    BigInteger left =
        BigInteger.valueOf(x.load().inFlight() + 1L).multiply(BigInteger.valueOf(y.weight()));
    BigInteger right =
        BigInteger.valueOf(y.load().inFlight() + 1L).multiply(BigInteger.valueOf(x.weight()));
    return left.compareTo(right);
  }
}
