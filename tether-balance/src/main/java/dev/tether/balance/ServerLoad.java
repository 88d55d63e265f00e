package dev.tether.balance;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live load counters of one server, shared by every snapshot that contains it so that the counts
 * survive a picker rebuild. Per-request state is counters only: no lock is taken (STYLE habit 3).
 *
 * <p>The data plane calls {@link #start()} when it dispatches a request to the server and {@link
 * #finish(long)} with the observed latency when the response has completed (or failed).
 *
 * <p>Latency is tracked as a peak-sensitive exponentially weighted moving average (Finagle's
 * "peak EWMA"): a sample above the current average replaces it at once, a lower one decays it with
 * time constant {@link #DECAY_NANOS}. The average is stored as raw double bits in an {@link
 * AtomicLong}; concurrent updates may lose a sample, which an average tolerates.
 *
 * <p>The loads of one pool share a {@link Group} that keeps the pool-wide in-flight total, so that
 * bounded-load hashing reads the average in O(1) instead of summing every server per pick.
 *
 * <p>Thread-safe.
 */
public final class ServerLoad {

  /**
   * The in-flight total of a set of servers (one pool), maintained by {@link #start()} and {@link
   * #finish} of every member load. Thread-safe.
   */
  public static final class Group {
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Requests in flight on all servers of the group. */
    public int inFlight() {
      return inFlight.get();
    }
  }

  /** Time constant of the latency average: 10 seconds, as Finagle's default decay. */
  public static final long DECAY_NANOS = 10_000_000_000L;

  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong ewmaBits = new AtomicLong(Double.doubleToRawLongBits(0.0));
  private final AtomicLong stampNanos = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final Group group;

  /** A load in a group of its own. */
  public ServerLoad() {
    this(new Group());
  }

  /** A load whose requests also count towards {@code group}'s total. */
  public ServerLoad(Group group) {
    this.group = java.util.Objects.requireNonNull(group, "group");
  }

  /** The group whose total this load contributes to. */
  public Group group() {
    return group;
  }

  /** Requests dispatched to the server and not finished yet. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Requests finished since this server was first seen. */
  public long completed() {
    return completed.get();
  }

  /** Records that a request was dispatched to the server. */
  public void start() {
    inFlight.incrementAndGet();
    group.inFlight.incrementAndGet();
  }

  /**
   * Records the end of a request started with {@link #start()}.
   *
   * @param latencyNanos how long the request took
   * @param nowNanos the ticker reading at completion (injected for tests)
   */
  public void finish(long latencyNanos, long nowNanos) {
    inFlight.decrementAndGet();
    group.inFlight.decrementAndGet();
    completed.incrementAndGet();
    observe(latencyNanos, nowNanos);
  }

  /** The peak-EWMA latency in nanoseconds as of {@code nowNanos}; 0 before the first sample. */
  public double latencyNanos(long nowNanos) {
    double avg = Double.longBitsToDouble(ewmaBits.get());
    long elapsed = Math.max(0, nowNanos - stampNanos.get());
    return avg * Math.exp(-(double) elapsed / DECAY_NANOS);
  }

  private void observe(long latencyNanos, long nowNanos) {
    // Peak: a sample above the (decayed) average replaces it at once. Otherwise the stored average
    // moves towards the sample with weight 1 − e^(−elapsed/τ), so a steady stream of samples
    // converges on their value (decaying the stored value first as well would count the elapsed
    // time twice and settle at about half the true latency).
    double stored = Double.longBitsToDouble(ewmaBits.get());
    long elapsed = Math.max(0, nowNanos - stampNanos.get());
    double w = Math.exp(-(double) elapsed / DECAY_NANOS);
    double next;
    if (latencyNanos > stored * w) {
      next = latencyNanos;
    } else {
      next = stored * w + latencyNanos * (1 - w);
    }
    ewmaBits.set(Double.doubleToRawLongBits(next));
    stampNanos.set(nowNanos);
  }
}
