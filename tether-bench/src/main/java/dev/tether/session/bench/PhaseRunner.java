package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Runs one operation on a fixed number of threads for a fixed time (closed loop: each thread issues
 * its next call when the previous one returned) and records every call's latency in an
 * HdrHistogram. Threads start together behind a latch; the clock for throughput starts when they
 * are released and stops when the last one is done.
 */
public final class PhaseRunner implements AutoCloseable {

  /** Latencies above this are recorded as this (a minute, far beyond any command timeout). */
  private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** One call of the measured operation. */
  @FunctionalInterface
  public interface Operation {
    /**
     * Does the {@code iteration}-th call of {@code thread}.
     *
     * @return whether it did what was asked (a lost session or a failed save is {@code false})
     */
    boolean run(int thread, long iteration);
  }

  private final int threads;
  private final ExecutorService pool;

  /** A runner with {@code threads} worker threads. */
  public PhaseRunner(int threads) {
    this.threads = threads;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "bench-" + n.getAndIncrement());
              t.setDaemon(true);
              return t;
            });
  }

  /** Runs {@code op} on every thread for {@code length}. */
  public PhaseResult run(Duration length, Operation op) throws InterruptedException {
    requireNonNull(op, "op");
    long lengthNanos = length.toNanos();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    long[] start = new long[1];
    List<Future<Worker>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                Worker w = new Worker();
                ready.countDown();
                go.await();
                w.run(thread, start[0] + lengthNanos, op);
                return w;
              }));
    }
    ready.await();
    start[0] = System.nanoTime();
    go.countDown();
    Histogram all = new Histogram(MAX_NANOS, 3);
    long ops = 0;
    long failures = 0;
    String firstFailure = null;
    for (Future<Worker> f : futures) {
      Worker w;
      try {
        w = f.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("a benchmark thread died", e.getCause());
      }
      all.add(w.latency);
      ops += w.ops;
      failures += w.failures;
      if (firstFailure == null) {
        firstFailure = w.firstFailure;
      }
    }
    long elapsed = System.nanoTime() - start[0];
    return new PhaseResult(ops, failures, elapsed, all, firstFailure);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  /** One thread's counts; written by that thread only, read after its future completed. */
  private static final class Worker {
    final Histogram latency = new Histogram(MAX_NANOS, 3);
    long ops;
    long failures;
    String firstFailure;

    void run(int thread, long deadline, Operation op) {
      long i = 0;
      long now = System.nanoTime();
      while (now < deadline) {
        boolean ok;
        try {
          ok = op.run(thread, i++);
        } catch (RuntimeException e) {
          ok = false;
          if (firstFailure == null) {
            firstFailure = e.toString();
          }
        }
        long end = System.nanoTime();
        latency.recordValue(Math.min(end - now, MAX_NANOS));
        ops++;
        if (!ok) {
          failures++;
          if (firstFailure == null) {
            firstFailure = "operation reported failure";
          }
        }
        now = end;
      }
    }
  }

  /**
   * What one phase did.
   *
   * @param ops calls made, failed ones included
   * @param failures calls that threw or reported failure
   * @param nanos wall time from the start signal to the last thread's end
   * @param latency per-call latency in nanoseconds, all threads
   * @param firstFailure what the first failure was, or {@code null}
   */
  public record PhaseResult(
      long ops, long failures, long nanos, Histogram latency, String firstFailure) {

    /** Calls per second. */
    public double perSecond() {
      return nanos == 0 ? 0 : ops * 1e9 / nanos;
    }
  }
}
