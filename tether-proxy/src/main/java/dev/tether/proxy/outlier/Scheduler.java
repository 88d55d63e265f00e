package dev.tether.proxy.outlier;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once after a delay; injected so that tests drive ejection returns with a fake clock
 * instead of sleeping (STYLE habit 7). Implementations are thread-safe.
 */
@FunctionalInterface
public interface Scheduler {

  /**
   * Runs {@code task} after {@code delay} on some thread other than the caller's.
   *
   * @return cancels the task if it has not started; calling it twice is harmless
   */
  Runnable schedule(Runnable task, Duration delay);

  /** A scheduler over {@code executor}, which must not run blocking work (timers only). */
  static Scheduler of(ScheduledExecutorService executor) {
    requireNonNull(executor, "executor");
    return (task, delay) -> {
      ScheduledFuture<?> f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
