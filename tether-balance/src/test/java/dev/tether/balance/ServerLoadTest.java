package dev.tether.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class ServerLoadTest {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  @Test
  void steadySamplesConvergeOnTheirValue() {
    ServerLoad load = new ServerLoad();
    long now = 0;
    load.start();
    load.finish(100 * MS, now);
    for (int i = 0; i < 200; i++) {
      now += S;
      load.start();
      load.finish(20 * MS, now);
    }
    assertThat(load.latencyNanos(now)).isCloseTo(20.0 * MS, offset(0.1 * MS));
  }

  @Test
  void aPeakReplacesTheAverageAndIdleTimeDecaysIt() {
    ServerLoad load = new ServerLoad();
    load.start();
    load.finish(10 * MS, 0);
    load.start();
    load.finish(300 * MS, S);
    assertThat(load.latencyNanos(S)).isEqualTo(300.0 * MS);
    // One time constant later with no samples: 300 × e^−1 ≈ 110 ms.
    assertThat(load.latencyNanos(S + ServerLoad.DECAY_NANOS))
        .isCloseTo(300.0 * MS / Math.E, offset(1.0));
  }

  @Test
  void countsInFlightPerServerAndPerGroup() {
    ServerLoad.Group group = new ServerLoad.Group();
    ServerLoad a = new ServerLoad(group);
    ServerLoad b = new ServerLoad(group);
    a.start();
    a.start();
    b.start();
    assertThat(a.inFlight()).isEqualTo(2);
    assertThat(group.inFlight()).isEqualTo(3);
    a.finish(MS, 0);
    assertThat(group.inFlight()).isEqualTo(2);
    assertThat(a.completed()).isEqualTo(1);
  }
}
