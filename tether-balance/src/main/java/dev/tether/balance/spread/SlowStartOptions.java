package dev.tether.balance.spread;

import dev.tether.balance.OptionsReader;
import java.util.Map;
import java.util.Set;

/**
 * The options of the weighted algorithms, read once: the slow-start window ({@code slow-start}, a
 * duration such as {@code 30s}; absent or {@code 0} means off).
 *
 * @param windowNanos the window in nanoseconds, 0 when slow start is off
 */
record SlowStartOptions(long windowNanos) {

  static final SlowStartOptions OFF = new SlowStartOptions(0);

  SlowStartOptions {
    if (windowNanos < 0 || windowNanos > SlowStart.MAX_SECONDS * 1_000_000_000L) {
      throw new IllegalArgumentException("slow-start window out of range: " + windowNanos + " ns");
    }
  }

  /** Reads the options through {@code r}, which collects the problems. */
  static SlowStartOptions read(OptionsReader r) {
    return new SlowStartOptions(r.duration(SlowStart.OPTION, 0, SlowStart.MAX_SECONDS));
  }

  /** A reader of {@code options} that accepts only {@value SlowStart#OPTION}. */
  static OptionsReader reader(String algorithm, Map<String, String> options) {
    return new OptionsReader(algorithm, options, Set.of(SlowStart.OPTION));
  }
}
