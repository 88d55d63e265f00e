package dev.tether.bench.load;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * After a chaos action: when was each user first served as expected again? Re-pin time is the time
 * from the action until the last of them was. Only requests sent after the action count: one sent
 * before it may have been answered from either side of its effect. Written from the event loops,
 * lock-free.
 */
final class RePinWatch {

  private final long actionNanos;
  private final AtomicLongArray first;
  private final AtomicInteger remaining;
  private volatile long doneNanos = Long.MIN_VALUE;

  RePinWatch(long actionNanos, int users) {
    this.actionNanos = actionNanos;
    this.first = new AtomicLongArray(users);
    this.remaining = new AtomicInteger(users);
  }

  void served(int user, long sentNanos, long nanos) {
    if (sentNanos - actionNanos >= 0
        && first.compareAndSet(user, 0, nanos)
        && remaining.decrementAndGet() == 0) {
      doneNanos = nanos;
    }
  }

  /** Milliseconds until every user was served again, or {@code null} when some never were. */
  Long rePinMillis() {
    long done = doneNanos;
    return done == Long.MIN_VALUE ? null : Math.max(0, (done - actionNanos) / 1_000_000);
  }

  /** Users not served since the action. */
  int remaining() {
    return remaining.get();
  }
}
