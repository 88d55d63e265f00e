package dev.tether.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts unknown session ids per client address in fixed windows (R27). Bounded: when it tracks
 * more than {@link #MAX_ADDRESSES} addresses it drops windows that have ended, and if that is not
 * enough, everything (an attacker spraying addresses then gets a fresh count, which is logged by
 * the per-request event anyway).
 */
final class UnknownIdMonitor {

  static final int MAX_ADDRESSES = 100_000;

  private record Window(Instant start, int count) {}

  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration window;
  private final int limit;

  UnknownIdMonitor(Clock clock, Duration window, int limit) {
    this.clock = clock;
    this.window = window;
    this.limit = limit;
  }

  /**
   * Counts one unknown id from {@code address}; returns the count in the current window if it just
   * went over the limit (so the alert fires once per window), else 0.
   */
  int record(String address) {
    Instant now = clock.instant();
    if (windows.size() >= MAX_ADDRESSES) {
      windows.values().removeIf(w -> !now.isBefore(w.start().plus(window)));
      if (windows.size() >= MAX_ADDRESSES) {
        windows.clear();
      }
    }
    Window w =
        windows.merge(
            address,
            new Window(now, 1),
            (old, one) ->
                now.isBefore(old.start().plus(window))
                    ? new Window(old.start(), old.count() + 1)
                    : one);
    return w.count() == limit + 1 ? w.count() : 0;
  }

  /** The count in {@code address}'s current window. */
  int count(String address) {
    Window w = windows.get(address);
    return w == null || !clock.instant().isBefore(w.start().plus(window)) ? 0 : w.count();
  }
}
