package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long and how hard one store is measured. Every store of a run gets the same settings, so
 * their figures compare.
 *
 * @param threads concurrent callers, each owning its own share of the sessions (sticky), 1..256
 * @param sessions sessions created before measuring, at least {@code threads}; rounded up to a
 *     multiple of {@code threads}
 * @param warmup untimed run of every phase before the first round (JIT, pools, caches, scripts);
 *     may be zero
 * @param rounds timed rounds of every phase, 1..20; throughput is the median round
 * @param round how long each phase runs per round; positive
 */
public record BenchSettings(
    int threads, int sessions, Duration warmup, int rounds, Duration round) {

  /** Attributes per session. */
  public static final int ATTRIBUTES = 10;

  /** Stored size of each attribute value in bytes (codec header and JSON quotes included). */
  public static final int VALUE_BYTES = 100;

  public BenchSettings {
    requireNonNull(warmup, "warmup");
    requireNonNull(round, "round");
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads is " + threads + "; allowed: 1..256");
    }
    if (sessions < threads || sessions > 1_000_000) {
      throw new IllegalArgumentException(
          "sessions is " + sessions + "; allowed: " + threads + " (the thread count)..1000000");
    }
    sessions = (sessions + threads - 1) / threads * threads;
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warm-up " + warmup + " must not be negative");
    }
    if (rounds < 1 || rounds > 20) {
      throw new IllegalArgumentException("rounds is " + rounds + "; allowed: 1..20");
    }
    if (round.isNegative() || round.isZero()) {
      throw new IllegalArgumentException("round length " + round + " must be positive");
    }
  }

  /** 8 threads, 2 000 sessions, 3 s warm-up, 3 rounds of 5 s per phase. */
  public static BenchSettings defaults() {
    return new BenchSettings(8, 2_000, Duration.ofSeconds(3), 3, Duration.ofSeconds(5));
  }

  /** Sessions each thread owns. */
  public int sessionsPerThread() {
    return sessions / threads;
  }
}
