package dev.tether.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Where a group keeps its in-flight counters, and that they stay exact under concurrent updates.
 */
class ServerLoadSlabTest {

  @Test
  void loadsOfAGroupTakeConsecutiveCellsOfOneSlabSizedAsExpected() {
    ServerLoad.Group group = new ServerLoad.Group(40);
    List<ServerLoad> loads = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      loads.add(new ServerLoad(group));
    }
    for (int i = 0; i < 40; i++) {
      assertThat(loads.get(i).slab()).isSameAs(loads.get(0).slab());
      assertThat(loads.get(i).cell()).isEqualTo(i);
    }
    // The 41st needs a new slab, twice the live loads: 80 cells.
    ServerLoad extra = new ServerLoad(group);
    assertThat(extra.slab()).isNotSameAs(loads.get(0).slab());
    assertThat(extra.cell()).isZero();
  }

  @Test
  void aGroupExpectingFewStillHoldsTheMinimumSlab() {
    ServerLoad.Group group = new ServerLoad.Group(0);
    ServerLoad first = new ServerLoad(group);
    ServerLoad last = first;
    for (int i = 1; i < ServerLoad.Group.MIN_SLAB; i++) {
      last = new ServerLoad(group);
    }
    assertThat(last.slab()).isSameAs(first.slab());
    assertThat(last.cell()).isEqualTo(ServerLoad.Group.MIN_SLAB - 1);
  }

  @Test
  void neighbouringCountersStayExactUnderConcurrentUpdates() throws InterruptedException {
    // Four threads hammer eight adjacent cells (two cache lines' worth); each thread starts
    // 20 000 requests on every load and finishes all but (thread + 1) of them. The totals are
    // fixed whatever the interleaving: a lost update (a non-atomic add) would show as a difference.
    ServerLoad.Group group = new ServerLoad.Group(8);
    ServerLoad[] loads = new ServerLoad[8];
    for (int i = 0; i < loads.length; i++) {
      loads[i] = new ServerLoad(group);
    }
    int threads = 4;
    int perLoad = 20_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int keep = t + 1;
      Thread w =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int k = 0; k < perLoad; k++) {
                  for (ServerLoad load : loads) {
                    load.start();
                    if (k >= keep) {
                      load.finish(1_000, k);
                    }
                  }
                }
              },
              "load-updater-" + t);
      w.start();
      workers.add(w);
    }
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    int kept = 1 + 2 + 3 + 4;
    for (ServerLoad load : loads) {
      assertThat(load.inFlight()).isEqualTo(kept);
      assertThat(load.completed()).isEqualTo((long) threads * perLoad - kept);
    }
    assertThat(group.inFlight()).isEqualTo(kept * loads.length);
  }

  @Test
  void theCellOfAnUnreachableLoadIsZeroedAndReused() {
    ServerLoad.Group group = new ServerLoad.Group(2);
    ServerLoad kept = new ServerLoad(group);
    ServerLoad gone = new ServerLoad(group);
    ServerLoad.Slab slab = gone.slab();
    int cell = gone.cell();
    gone.start();
    gone.start();
    gone = null;
    // Phantom references are queued once a collection has found the load unreachable; a full GC
    // per round, bounded, no sleeping.
    for (int i = 0; i < 50 && group.liveLoads() > 1; i++) {
      System.gc();
    }
    assertThat(group.liveLoads()).as("the dropped load was collected").isEqualTo(1);
    ServerLoad next = new ServerLoad(group);
    assertThat(next.slab()).isSameAs(slab);
    assertThat(next.cell()).isEqualTo(cell);
    assertThat(next.inFlight()).isZero();
    assertThat(kept.inFlight()).isZero();
  }
}
