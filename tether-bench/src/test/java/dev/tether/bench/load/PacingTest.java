package dev.tether.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Coordinated omission, on a simulated clock: one user, a server answering in 1 ms except for one 1
 * s stall at t = 5 s, 10 s of load. The closed model sends nothing while it waits, so the stall is
 * one slow sample of ~9 000 and p99 stays at 1 ms. The open model at 100 req/s intended ~100
 * requests during the stall (and ~10 more while catching up); measured from their intended send
 * times they waited up to 1 s, so ~1% of all samples are over 500 ms: p99 shows the stall.
 */
class PacingTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long STALL_AT = 5_000 * MS;

  /** The server: 1 ms per answer, except the request sent first at or after 5 s takes 1 s. */
  private static LongUnaryOperator server() {
    boolean[] stalled = {false};
    return sent -> {
      if (!stalled[0] && sent >= STALL_AT) {
        stalled[0] = true;
        return 1000 * MS;
      }
      return MS;
    };
  }

  /** Runs {@code pacing} for 10 s of simulated time with the same logic the virtual users use. */
  private static Histogram simulate(Pacing pacing) {
    LoadStats stats = new LoadStats();
    LongUnaryOperator server = server();
    long now = 0;
    long end = 10_000 * MS;
    long intended = pacing.first(0, 0);
    while (intended < end) {
      long sent = Math.max(now, intended);
      now = sent + server.applyAsLong(sent);
      stats.latency(now - intended);
      intended = pacing.next(intended, now);
    }
    stats.interval();
    return stats.total();
  }

  @Test
  void theClosedModelHidesAStallThatTheOpenModelShows() {
    Histogram closed = simulate(Pacing.closed());
    Histogram open = simulate(Pacing.open(100, 1));

    assertThat(closed.getTotalCount()).isBetween(8_900L, 9_100L);
    assertThat(closed.getValueAtPercentile(99)).isLessThan(2 * MS);
    assertThat(closed.getMaxValue()).isGreaterThanOrEqualTo(999 * MS);

    assertThat(open.getTotalCount()).isEqualTo(1_000L);
    assertThat(open.getValueAtPercentile(99)).isGreaterThan(500 * MS);
    assertThat(open.getValueAtPercentile(50)).isLessThan(2 * MS);
    // ~100 requests were intended during the stall; sent late, one per ms, they catch up with the
    // schedule after k where 10k = 1000 + k (k ~ 111), each charged 1000 - 9k ms of waiting
    assertThat(open.getCountBetweenValues(10 * MS, 1001 * MS)).isBetween(105L, 115L);
  }

  @Test
  void openUsersSpreadTheirPhasesAndKeepTheirScheduleWhenLate() {
    Pacing p = Pacing.open(1000, 4);
    assertThat(p.first(0, 0)).isZero();
    assertThat(p.first(0, 1)).isEqualTo(MS);
    assertThat(p.first(0, 3)).isEqualTo(3 * MS);
    assertThat(p.next(0, 50 * MS)).as("late answer, schedule kept").isEqualTo(4 * MS);
    assertThat(Pacing.closed().next(0, 50 * MS)).isEqualTo(50 * MS);
  }
}
