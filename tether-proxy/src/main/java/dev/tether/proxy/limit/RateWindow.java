package dev.tether.proxy.limit;

/**
 * The arithmetic both slow-client checks share: time during which the client owes us progress is
 * summed ("owed"), bytes of progress are summed, and once a whole window of owed time has
 * accumulated the two are judged and the window starts again. Time during which the balancer itself
 * holds the client back (a backend not accepting the upload, a response not yet produced) is never
 * owed, so back-pressure from our side never cuts a client.
 *
 * <p>Not thread-safe: confined to one connection's event loop.
 */
final class RateWindow {

  private final long windowNanos;
  private final long minBytesPerSecond;
  private long owedNanos;
  private long bytes;
  private boolean owing;
  private long owingSince;

  RateWindow(long windowNanos, long minBytesPerSecond) {
    this.windowNanos = windowNanos;
    this.minBytesPerSecond = minBytesPerSecond;
  }

  /** The client owes progress from {@code now} on (no effect when it already does). */
  void startOwing(long now) {
    if (!owing) {
      owing = true;
      owingSince = now;
    }
  }

  /** The client no longer owes progress (it delivered, or we stopped asking). */
  void stopOwing(long now) {
    if (owing) {
      owedNanos += now - owingSince;
      owing = false;
    }
  }

  boolean owing() {
    return owing;
  }

  void progress(long n) {
    bytes += n;
  }

  /**
   * Judges the window if a whole one of owed time has gathered: {@code true} when the client was
   * too slow (fewer bytes than the minimum rate over the owed time, and always when it moved no
   * byte at all); the window restarts otherwise.
   */
  boolean tooSlow(long now) {
    if (owing) {
      owedNanos += now - owingSince;
      owingSince = now;
    }
    if (owedNanos < windowNanos) {
      return false;
    }
    double needed = (double) minBytesPerSecond * owedNanos / 1e9;
    boolean slow = bytes == 0 || bytes < needed;
    owedNanos = 0;
    bytes = 0;
    return slow;
  }

  /** Forgets the current window (a new body or a drained buffer). */
  void reset() {
    owedNanos = 0;
    bytes = 0;
    owing = false;
  }
}
