package dev.tether.balance.spread;

import dev.tether.balance.Member;
import java.util.function.LongSupplier;

/**
 * Slow start: a server that comes up or is added ramps its effective weight linearly over a window,
 * {@code weight × clamp((now − upSince) / window, 0.1, 1)} (Envoy's default minimum of 10%; HAProxy
 * {@code slowstart}). Servers up since the pool started do not ramp.
 *
 * <p>Design note: pickers are immutable, so a picker built during a ramp computes effective weights
 * per pick from the injected ticker rather than relying on periodic rebuilds. The cost is paid only
 * while some member is ramping: the picker knows when the last ramp ends and, once the ticker has
 * passed it, sets a flag and never reads the ticker again. No {@code Pool.refresh()} is needed.
 */
final class SlowStart {

  /** The option key: a duration such as {@code 30s}; {@code 0} or absent means off. */
  static final String OPTION = "slow-start";

  /** The smallest fraction of its weight a ramping server gets. */
  static final double MIN_FRACTION = 0.1;

  /** Longest window accepted: one hour. */
  static final long MAX_SECONDS = 3600;

  private SlowStart() {}

  /**
   * The ramp for {@code members} (indices as in the array), or {@code null} when no member ramps:
   * slow start off, or every member up since the start or for longer than the window.
   */
  static Ramp ramp(Member[] members, long windowNanos, LongSupplier ticker) {
    if (windowNanos <= 0) {
      return null;
    }
    long now = ticker.getAsLong();
    long[] since = new long[members.length];
    boolean any = false;
    long endsAt = now;
    for (int i = 0; i < members.length; i++) {
      long s = members[i].upSinceNanos();
      since[i] = s;
      if (s != Member.UP_FROM_START && now - s < windowNanos) {
        any = true;
        endsAt = Math.max(endsAt, s + windowNanos);
      }
    }
    return any ? new Ramp(ticker, since, windowNanos, endsAt) : null;
  }

  /** The per-picker view of slow start. Thread-safe; lock-free. */
  static final class Ramp {

    /** What {@link #now()} returns once every member has finished ramping. */
    static final long OVER = Long.MIN_VALUE;

    private final LongSupplier ticker;
    private final long[] since;
    private final long window;
    private final long endsAt;
    // Benign race: once true stays true; a thread that misses the write just reads the ticker.
    private volatile boolean over;

    Ramp(LongSupplier ticker, long[] since, long window, long endsAt) {
      this.ticker = ticker;
      this.since = since;
      this.window = window;
      this.endsAt = endsAt;
    }

    /** The ticker reading while some member is ramping, {@link #OVER} afterwards. */
    long now() {
      if (over) {
        return OVER;
      }
      long now = ticker.getAsLong();
      if (now - endsAt >= 0) {
        over = true;
        return OVER;
      }
      return now;
    }

    /** The fraction of its weight member {@code i} gets at {@code now} (not {@link #OVER}). */
    double fraction(int i, long now) {
      long s = since[i];
      if (s == Member.UP_FROM_START) {
        return 1.0;
      }
      long elapsed = now - s;
      if (elapsed >= window) {
        return 1.0;
      }
      return Math.max(MIN_FRACTION, (double) elapsed / window);
    }
  }
}
