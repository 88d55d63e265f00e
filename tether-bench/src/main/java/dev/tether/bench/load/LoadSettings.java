package dev.tether.bench.load;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a run goes.
 *
 * @param target where the load goes
 * @param users virtual users, 1..100000
 * @param duration how long users start new requests
 * @param rate requests per second in all (open model), or {@code null} for the closed model
 * @param timeout how long one request may take before it counts as failed
 * @param threads event loops driving the users
 */
public record LoadSettings(
    LoadTarget target, int users, Duration duration, Double rate, Duration timeout, int threads) {

  public LoadSettings {
    requireNonNull(target, "target");
    requireNonNull(duration, "duration");
    requireNonNull(timeout, "timeout");
    if (users < 1 || users > 100_000) {
      throw new IllegalArgumentException("--users is " + users + "; allowed: 1..100000");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive, e.g. 30s");
    }
    if (rate != null && !(rate > 0)) {
      throw new IllegalArgumentException(
          "--rate is " + rate + "; allowed: more than 0 requests per second");
    }
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("--threads is " + threads + "; allowed: 1..64");
    }
  }

  /** The pacing these settings ask for. */
  public Pacing pacing() {
    return rate == null ? Pacing.closed() : Pacing.open(rate, users);
  }
}
