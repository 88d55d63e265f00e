package dev.tether.proxy.admin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Slows down guessing of the admin token, per client address: after {@link #FREE_FAILURES} wrong
 * tokens, each further attempt waits for a lock-out that doubles with every failure (1 s, 2 s, 4 s
 * … up to {@link #MAX_LOCK_SECONDS}); while locked out every request from that address, even one
 * with the right token, is answered 429. A success, or ten minutes without a failure, forgets the
 * address. At most {@link #MAX_ADDRESSES} addresses are tracked; beyond that the oldest entries are
 * dropped. Thread-safe; the clock is injected.
 */
final class AuthThrottle {

  static final int FREE_FAILURES = 5;
  static final long MAX_LOCK_SECONDS = 300;
  static final int MAX_ADDRESSES = 10_000;
  private static final long FORGET_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final LongSupplier nanos;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  AuthThrottle(LongSupplier nanos) {
    this.nanos = nanos;
  }

  private static final class Entry {
    int failures;
    long lockedUntil;
    long lastFailure;
  }

  /** Seconds {@code address} must still wait, or 0 when it may try now. */
  long waitSeconds(String address) {
    Entry e = entries.get(address);
    if (e == null) {
      return 0;
    }
    synchronized (e) {
      long now = nanos.getAsLong();
      long left = e.lockedUntil - now;
      return left <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left + 999_999_999L));
    }
  }

  /**
   * Counts a failed attempt from {@code address}.
   *
   * @return how many failures in a row it has now
   */
  int failed(String address) {
    long now = nanos.getAsLong();
    if (entries.size() >= MAX_ADDRESSES) {
      entries.entrySet().removeIf(x -> now - x.getValue().lastFailure > FORGET_NANOS);
      if (entries.size() >= MAX_ADDRESSES) {
        entries.clear(); // a flood of addresses: start over rather than grow without bound
      }
    }
    Entry e = entries.computeIfAbsent(address, a -> new Entry());
    synchronized (e) {
      if (now - e.lastFailure > FORGET_NANOS) {
        e.failures = 0;
      }
      e.failures++;
      e.lastFailure = now;
      if (e.failures > FREE_FAILURES) {
        long seconds =
            Math.min(MAX_LOCK_SECONDS, 1L << Math.min(30, e.failures - FREE_FAILURES - 1));
        e.lockedUntil = now + TimeUnit.SECONDS.toNanos(seconds);
      }
      return e.failures;
    }
  }

  /** A successful attempt from {@code address}: its failures are forgotten. */
  void succeeded(String address) {
    entries.remove(address);
  }
}
