package dev.tether.balance;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live load counters of one server, shared by every snapshot that contains it so that the counts
 * survive a picker rebuild. Per-request state is counters only: no lock is taken (STYLE habit 3).
 *
 * <p>The data plane calls {@link #start()} when it dispatches a request to the server and {@link
 * #finish(long, long)} with the observed latency when the response has completed (or failed).
 *
 * <p>Latency is tracked as a peak-sensitive exponentially weighted moving average (Finagle's "peak
 * EWMA"): a sample above the current average replaces it at once, a lower one pulls it towards
 * itself with weight {@code 1 − e^(−elapsed/τ)}, and with no samples the average decays towards
 * zero with time constant τ = {@link #DECAY_NANOS}. Concurrent updates may lose a sample, which an
 * average tolerates.
 *
 * <p>The in-flight counter lives in its {@link Group}'s {@link Slab}, beside the other servers'
 * counters, so that a least-connections scan reads one array; the other counters are volatile
 * fields updated through {@link VarHandle}s.
 *
 * <p>The loads of one pool share a {@link Group} that keeps the pool-wide in-flight total, so that
 * bounded-load hashing reads the average in O(1) instead of summing every server per pick.
 *
 * <p>Thread-safe.
 */
public final class ServerLoad {

  /**
   * The loads of a set of servers (one pool): their in-flight total, maintained by {@link #start()}
   * and {@link #finish} of every member load, and the storage of their in-flight counters.
   *
   * <p>Design note: a least-connections scan reads every server's counter per pick, so the counters
   * of a group live side by side in one {@code int[]} ({@link Slab}) rather than one per load
   * object: the scan walks one array instead of chasing a pointer per server. A counter keeps its
   * cell for the life of its load (requests finish on the cell they started on, even after the
   * server left the pool); the cell of a load that became unreachable is zeroed and reused by the
   * next load the group creates (phantom references polled on creation, so no thread is needed).
   * The first slab holds {@code expected} counters; a group that outgrows it adds a slab twice the
   * size of its live loads, whose servers a scan then reaches through a second array.
   *
   * <p>Thread-safe: counters are updated atomically; creating loads synchronizes on the group.
   */
  public static final class Group {
    /** Cells of the first slab when nothing is expected: enough for a small pool. */
    static final int MIN_SLAB = 16;

    private final AtomicInteger inFlight = new AtomicInteger();
    // Guarded by this.
    private final int expected;
    private Slab current;
    private int used;
    private final ArrayDeque<Cell> free = new ArrayDeque<>();
    private final Set<Cell> live = new HashSet<>();
    private final ReferenceQueue<ServerLoad> gone = new ReferenceQueue<>();

    /** A group for a few servers. */
    public Group() {
      this(MIN_SLAB);
    }

    /** A group whose first slab holds the counters of {@code expected} servers. */
    public Group(int expected) {
      if (expected < 0) {
        throw new IllegalArgumentException("expected servers " + expected + " is negative");
      }
      this.expected = Math.max(MIN_SLAB, expected);
    }

    /** Requests in flight on all servers of the group. */
    public int inFlight() {
      return inFlight.get();
    }

    /** Loads of this group still reachable (their cells are taken). */
    synchronized int liveLoads() {
      reclaim();
      return live.size();
    }

    private synchronized Cell allocate(ServerLoad load) {
      reclaim();
      Cell spare = free.pollFirst();
      Slab slab;
      int index;
      if (spare != null) {
        slab = spare.slab;
        index = spare.index;
      } else {
        if (current == null || used == current.cells.length) {
          current = new Slab(current == null ? expected : Math.max(MIN_SLAB, 2 * live.size()));
          used = 0;
        }
        slab = current;
        index = used++;
      }
      Cell cell = new Cell(load, gone, slab, index);
      live.add(cell);
      return cell;
    }

    /** Frees the cells of loads that nothing references any more; their counts are dropped. */
    private void reclaim() {
      for (Reference<?> r; (r = gone.poll()) != null; ) {
        Cell dead = (Cell) r;
        live.remove(dead);
        CELLS.setVolatile(dead.slab.cells, dead.index, 0);
        free.addLast(dead);
      }
    }
  }

  /**
   * A block of in-flight counters of one {@link Group}, for scans: {@link ServerLoad#slab()} and
   * {@link ServerLoad#cell()} say where a load's counter is.
   *
   * <p>{@link #leastScore} scores the cells {@code from .. from + scale.length − 1} as {@code (in
   * flight + 1) × scale[i] + pad[i]} (a least-connections score; {@code pad} lifts cells that are
   * not candidates out of reach). It reads the counters plainly, with an acquire fence first: the
   * reads are neither moved before the fence nor reused from an earlier scan, and each sees some
   * recent value of a counter other threads update, which is all a least-loaded choice needs; a
   * plain read of an {@code int} never tears. Thread-safe.
   */
  public static final class Slab {
    private final int[] cells;

    private Slab(int size) {
      this.cells = new int[size];
    }

    /**
     * The position {@code i} of a cell of {@code from ..} with the least score, ties broken
     * uniformly at random by reservoir sampling driven by {@code seed} (a local LCG: a tie costs
     * one multiply); -1 when {@code scale} is empty. See the class comment for the score.
     */
    public int leastScore(int from, long[] scale, long[] pad, long seed) {
      int[] c = cells;
      int n = scale.length;
      Objects.checkFromIndexSize(from, n, c.length);
      Objects.checkFromIndexSize(0, n, pad.length);
      // The plain reads below may not move above this fence, nor be reused from a former scan.
      VarHandle.acquireFence();
      int best = -1;
      long bestScore = Long.MAX_VALUE;
      int ties = 0;
      for (int i = 0; i < n; i++) {
        long score = (c[from + i] + 1L) * scale[i] + pad[i];
        if (score <= bestScore) {
          if (score < bestScore) {
            best = i;
            bestScore = score;
            ties = 1;
          } else {
            ties++;
            // Replace with probability 1/ties: uniform over all tied cells (reservoir sampling).
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            if (((seed >>> 32) * ties) >>> 32 == 0) {
              best = i;
            }
          }
        }
      }
      return best;
    }
  }

  /** Where one load's counter lives; a phantom reference to the load, so its cell can be reused. */
  private static final class Cell extends PhantomReference<ServerLoad> {
    final Slab slab;
    final int index;

    Cell(ServerLoad load, ReferenceQueue<ServerLoad> queue, Slab slab, int index) {
      super(load, queue);
      this.slab = slab;
      this.index = index;
    }
  }

  /** Time constant of the latency average: 10 seconds, as Finagle's default decay. */
  public static final long DECAY_NANOS = 10_000_000_000L;

  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(int[].class);
  private static final VarHandle COMPLETED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      COMPLETED = lookup.findVarHandle(ServerLoad.class, "completed", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int[] cells;
  private final int cell;
  private final Slab slab;
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
    Cell c = group.allocate(this);
    this.slab = c.slab;
    this.cells = c.slab.cells;
    this.cell = c.index;
  }

  /** The group whose total this load contributes to. */
  public Group group() {
    return group;
  }

  /** Requests dispatched to the server and not finished yet. */
  public int inFlight() {
    return (int) CELLS.getVolatile(cells, cell);
  }

  /** The slab that holds this load's in-flight counter (shared with other loads of its group). */
  public Slab slab() {
    return slab;
  }

  /** The index of this load's in-flight counter in {@link #slab()}. */
  public int cell() {
    return cell;
  }

  /** Requests finished since this server was first seen. */
  public long completed() {
    return completed;
  }

  /** Records that a request was dispatched to the server. */
  public void start() {
    CELLS.getAndAdd(cells, cell, 1);
    group.inFlight.incrementAndGet();
  }

  /**
   * Records the end of a request started with {@link #start()}.
   *
   * @param latencyNanos how long the request took
   * @param nowNanos the ticker reading at completion (injected for tests)
   */
  public void finish(long latencyNanos, long nowNanos) {
    CELLS.getAndAdd(cells, cell, -1);
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
