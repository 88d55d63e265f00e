package dev.tether.balance;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live load counters of one server, shared by every snapshot that contains it so that the counts
 * survive a picker rebuild. Per-request state is counters only: no lock is taken (STYLE habit 3).
 *
 * <p>The data plane calls {@link #start()} when it dispatches a request to the server and {@link
 * #finish(long, long)} with the observed latency when the response has completed (or failed).
 *
 * <p>Latency is tracked as a peak-sensitive exponentially weighted moving average (Finagle's
 * "peak EWMA"): a sample above the current average replaces it at once, a lower one pulls it
 * towards itself with weight {@code 1 − e^(−elapsed/τ)}, and with no samples the average decays
 * towards zero with time constant τ = {@link #DECAY_NANOS}. Concurrent updates may lose a sample,
 * which an average tolerates.
 *
 * <p>The counters are volatile fields updated through {@link VarHandle}s rather than separate
 * atomic objects, so a least-connections scan reads each server's count with one memory access
 * instead of two dependent ones.
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

  private static final VarHandle IN_FLIGHT;
  private static final VarHandle COMPLETED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      IN_FLIGHT = lookup.findVarHandle(ServerLoad.class, "inFlight", int.class);
      COMPLETED = lookup.findVarHandle(ServerLoad.class, "completed", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile int inFlight;
  private volatile long completed;
  private volatile double ewmaNanos;
  private volatile long stampNanos;
  private final Group group;

  /** A load in a group of its own. */
  public ServerLoad() {
    this(new Group());
  }

  /** A load whose requests also count towards {@code group}'s total. */
  public ServerLoad(Group group) {
    this.group = requireNonNull(group, "group");
  }

  /** The group whose total this load contributes to. */
  public Group group() {
    return group;
  }

  /** Requests dispatched to the server and not finished yet. */
  public int inFlight() {
    return inFlight;
  }

  /** Requests finished since this server was first seen. */
  public long completed() {
    return completed;
  }

  /** Records that a request was dispatched to the server. */
  public void start() {
    IN_FLIGHT.getAndAdd(this, 1);
    group.inFlight.incrementAndGet();
  }

  /**
   * Records the end of a request started with {@link #start()}.
   *
   * @param latencyNanos how long the request took
   * @param nowNanos the ticker reading at completion (injected for tests)
   */
  public void finish(long latencyNanos, long nowNanos) {
    IN_FLIGHT.getAndAdd(this, -1);
    group.inFlight.decrementAndGet();
    COMPLETED.getAndAdd(this, 1L);
    observe(latencyNanos, nowNanos);
  }

  /** The peak-EWMA latency in nanoseconds as of {@code nowNanos}; 0 before the first sample. */
  public double latencyNanos(long nowNanos) {
    long elapsed = Math.max(0, nowNanos - stampNanos);
    return ewmaNanos * Math.exp(-(double) elapsed / DECAY_NANOS);
  }

  /**
   * The average as stored at the last sample, before decay: {@code latencyNanos(now) ==
   * storedLatencyNanos() × e^(−(now − latencyStampNanos()) / τ)}. Lets a picker compare two
   * servers' decayed latencies with one exponential and no clock read, since the common factor
   * {@code e^(−now/τ)} cancels.
   */
  public double storedLatencyNanos() {
    return ewmaNanos;
  }

  /** The ticker reading of the last latency sample. */
  public long latencyStampNanos() {
    return stampNanos;
  }

  private void observe(long latencyNanos, long nowNanos) {
    // Peak: a sample above the (decayed) average replaces it at once. Otherwise the stored average
    // moves towards the sample with weight 1 − e^(−elapsed/τ), so a steady stream of samples
    // converges on their value (decaying the stored value first as well would count the elapsed
    // time twice and settle at about half the true latency).
    double stored = ewmaNanos;
    long elapsed = Math.max(0, nowNanos - stampNanos);
    double w = Math.exp(-(double) elapsed / DECAY_NANOS);
    double next;
    if (latencyNanos > stored * w) {
      next = latencyNanos;
    } else {
      next = stored * w + latencyNanos * (1 - w);
    }
    ewmaNanos = next;
    stampNanos = nowNanos;
  }
}
