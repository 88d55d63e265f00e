package dev.tether.session;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link SessionManager#sweepExpired} periodically on one daemon thread. Each run sweeps
 * batches until a batch comes back short (or 100 batches), then waits the interval plus up to 10 %
 * random jitter, so app instances started together do not all sweep at the same second
 * (spring-session#899; Jetty's HouseKeeper does the same). Running it on every instance is safe:
 * the store lets exactly one caller claim each expired session, so expiry events still fire once. A
 * failing run is logged and the schedule continues.
 *
 * <pre>{@code
 * try (SessionSweeper sweeper = SessionSweeper.start(manager, Duration.ofMinutes(1))) { ... }
 * }</pre>
 */
public final class SessionSweeper implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SessionSweeper.class);
  private static final int MAX_BATCHES = 100;

  private final SessionManager manager;
  private final Duration interval;
  private final RandomGenerator random;
  private final ScheduledExecutorService scheduler;
  private volatile ScheduledFuture<?> next;
  private volatile boolean closed;

  private SessionSweeper(SessionManager manager, Duration interval, RandomGenerator random) {
    this.manager = requireNonNull(manager, "manager");
    this.interval = requireNonNull(interval, "interval");
    this.random = requireNonNull(random, "random");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("sweep interval " + interval + " must be positive");
    }
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tether-session-sweeper");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts sweeping every {@code interval} (plus jitter), the first run after one interval. */
  public static SessionSweeper start(SessionManager manager, Duration interval) {
    return start(manager, interval, RandomGenerator.getDefault());
  }

  /** As {@link #start(SessionManager, Duration)} with the jitter drawn from {@code random}. */
  public static SessionSweeper start(
      SessionManager manager, Duration interval, RandomGenerator random) {
    SessionSweeper s = new SessionSweeper(manager, interval, random);
    s.schedule();
    return s;
  }

  /** One run: sweeps batches until one comes back short; returns how many sessions expired. */
  public int runOnce() {
    int total = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
      int n = manager.sweepExpired();
      total += n;
      if (n < manager.policy().sweepLimit()) {
        break;
      }
    }
    return total;
  }

  /** The delay before the next run: the interval plus 0–10 % jitter. */
  Duration nextDelay() {
    long base = interval.toMillis();
    long jitter = base / 10 == 0 ? 0 : random.nextLong(base / 10 + 1);
    return Duration.ofMillis(base + jitter);
  }

  private void schedule() {
    if (closed) {
      return;
    }
    next = scheduler.schedule(this::run, nextDelay().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      runOnce();
    } catch (dev.tether.session.circuit.StoreUnavailableException e) {
      log.warn(
          "session sweep skipped, the store is unavailable; retrying after the next interval: {}",
          e.getMessage());
    } catch (RuntimeException e) {
      log.warn("session sweep failed; retrying after the next interval", e);
    } finally {
      schedule();
    }
  }

  @Override
  public void close() {
    closed = true;
    ScheduledFuture<?> f = next;
    if (f != null) {
      f.cancel(false);
    }
    scheduler.shutdownNow();
  }
}
