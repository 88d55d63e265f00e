package dev.tether.proxy.retry;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * At most a share of a pool's requests may be retries (Finagle's {@code RetryBudget}, Envoy's retry
 * budget): over a sliding window of {@value #WINDOW_SECONDS} one-second buckets, a retry is allowed
 * while {@code retries < minPerSecond * window + ratio * requests}. A pool whose servers all fail
 * then sends each request about once instead of {@code 1 + attempts} times.
 *
 * <p>Thread-safe and lock-free: every event loop counts into the same buckets. A bucket is reset by
 * the first caller in a new second; a count racing that reset may be lost, which only makes the
 * budget approximate by a request or two.
 */
public final class RetryBudget {

  static final int WINDOW_SECONDS = 10;

  private final double ratio;
  private final long reserve;
  private final LongSupplier ticker;
  private final AtomicLongArray seconds = new AtomicLongArray(WINDOW_SECONDS);
  private final AtomicLongArray requests = new AtomicLongArray(WINDOW_SECONDS);
  private final AtomicLongArray retries = new AtomicLongArray(WINDOW_SECONDS);

  /**
   * @param ratio retries per request allowed, 0..1
   * @param minPerSecond retries per second allowed whatever the request rate
   * @param ticker nanoseconds, as {@link System#nanoTime()}
   */
  public RetryBudget(double ratio, int minPerSecond, LongSupplier ticker) {
    if (!(ratio >= 0 && ratio <= 1) || minPerSecond < 0) {
      throw new IllegalArgumentException(
          "ratio must be 0..1 and minPerSecond >= 0, not " + ratio + ", " + minPerSecond);
    }
    this.ratio = ratio;
    this.reserve = (long) minPerSecond * WINDOW_SECONDS;
    this.ticker = ticker;
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      seconds.set(i, Long.MIN_VALUE);
    }
  }

  /** Counts one request (a first attempt). */
  public void onRequest() {
    requests.incrementAndGet(bucket(now()));
  }

  /** Takes one retry from the budget; {@code false} when the budget is spent. */
  public boolean tryRetry() {
    long now = now();
    int b = bucket(now);
    long sumRequests = 0;
    long sumRetries = 0;
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      if (seconds.get(i) > now - WINDOW_SECONDS) {
        sumRequests += requests.get(i);
        sumRetries += retries.get(i);
      }
    }
    if (sumRetries >= reserve + (long) (ratio * sumRequests)) {
      return false;
    }
    retries.incrementAndGet(b);
    return true;
  }

  private long now() {
    return TimeUnit.NANOSECONDS.toSeconds(ticker.getAsLong());
  }

  private int bucket(long second) {
    int i = (int) Math.floorMod(second, (long) WINDOW_SECONDS);
    long seen = seconds.get(i);
    if (seen != second && seconds.compareAndSet(i, seen, second)) {
      requests.set(i, 0);
      retries.set(i, 0);
    }
    return i;
  }
}
