package dev.tether.session.jdbc;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the reads that tolerate replication lag (principal listings, sweep candidate scans) to
 * read replicas, round robin over the healthy ones, and falls back to the primary when none
 * answers. A replica that cannot be reached (SQL state class {@code 08}, or a pool timeout) is
 * marked down for a back-off that doubles per consecutive failure from {@value #FIRST_BACKOFF_MS}
 * ms up to {@value #MAX_BACKOFF_MS} ms, logged once when it goes down and once when it answers
 * again; other SQL errors on a replica (a table the replica has not replayed yet, a query cancelled
 * by a recovery conflict) send that one read to the primary without marking the replica down.
 * Session loads and version checks never come here: they need read-your-writes. Thread-safe; the
 * per-replica state is a few atomics, so routing never locks.
 */
final class ReplicaReads {

  static final long FIRST_BACKOFF_MS = 1_000;
  static final long MAX_BACKOFF_MS = 30_000;

  private static final Logger log = LoggerFactory.getLogger(ReplicaReads.class);

  /** One replica and its health. */
  private static final class Replica {
    final String label;
    final DataSource dataSource;
    final AtomicLong downUntil = new AtomicLong();
    final AtomicInteger failures = new AtomicInteger();
    final LongAdder served = new LongAdder();

    Replica(String label, DataSource dataSource) {
      this.label = label;
      this.dataSource = dataSource;
    }

    /** Down while its last failure's back-off runs; {@code nanoTime} values compared by sign. */
    boolean isDownAt(long now) {
      return failures.get() > 0 && now - downUntil.get() < 0;
    }
  }

  private final List<Replica> replicas;
  private final TransactionRunner primary;
  private final LongSupplier nanoTime;
  private final AtomicInteger next = new AtomicInteger();
  private final LongAdder primaryReads = new LongAdder();

  /**
   * @param replicas the replicas' data sources, in order; their labels (for logs) are {@code
   *     replica 1}, {@code replica 2}, …, never their URLs, which may carry credentials
   * @param primary where a read goes when no replica answers
   * @param nanoTime a monotonic ticker ({@code System::nanoTime}) for the back-off
   */
  ReplicaReads(List<DataSource> replicas, TransactionRunner primary, LongSupplier nanoTime) {
    this.replicas =
        java.util.stream.IntStream.range(0, replicas.size())
            .mapToObj(i -> new Replica("replica " + (i + 1), requireNonNull(replicas.get(i))))
            .toList();
    this.primary = requireNonNull(primary, "primary");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
  }

  /** Runs {@code work} on a healthy replica, or on the primary when none answers. */
  <T> T read(String what, TransactionRunner.Work<T> work) {
    int n = replicas.size();
    if (n > 0) {
      int start = (next.getAndIncrement() & Integer.MAX_VALUE) % n;
      long now = nanoTime.getAsLong();
      for (int i = 0; i < n; i++) {
        Replica r = replicas.get((start + i) % n);
        if (r.isDownAt(now)) {
          continue;
        }
        try (Connection c = primary.timed(r.dataSource.getConnection())) {
          T result = work.run(c);
          up(r);
          r.served.increment();
          return result;
        } catch (SQLException e) {
          if (isUnreachable(e)) {
            down(r, e);
          } else {
            log.debug(
                "JDBC session store: {} on {} failed (SQL state {}); reading from the primary",
                what,
                r.label,
                e.getSQLState());
            break;
          }
        }
      }
    }
    primaryReads.increment();
    return primary.read(what, work);
  }

  /** Reads each replica has served, in the order given; for tests and diagnostics. */
  long[] servedByReplica() {
    return replicas.stream().mapToLong(r -> r.served.sum()).toArray();
  }

  /** Lag-tolerant reads the primary has served (no replica configured, or none answered). */
  long servedByPrimary() {
    return primaryReads.sum();
  }

  /** Whether replica {@code index} (0-based) is marked down at this instant. */
  boolean isDown(int index) {
    return replicas.get(index).isDownAt(nanoTime.getAsLong());
  }

  private void up(Replica r) {
    if (r.failures.getAndSet(0) > 0) {
      log.info("JDBC session store: {} answers again; lag-tolerant reads go to it", r.label);
    }
  }

  private void down(Replica r, SQLException e) {
    int failures = r.failures.incrementAndGet();
    long backoffMs = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(failures - 1, 16));
    r.downUntil.set(nanoTime.getAsLong() + backoffMs * 1_000_000);
    if (failures == 1) {
      log.warn(
          "JDBC session store: {} is unreachable (SQL state {}: {}); its reads go to the primary"
              + " or another replica, retried after a back-off of up to {} s",
          r.label,
          e.getSQLState(),
          e.getMessage(),
          MAX_BACKOFF_MS / 1000);
    }
  }

  /** A connection that could not be opened or was lost, as opposed to a failing statement. */
  static boolean isUnreachable(SQLException e) {
    String state = e.getSQLState();
    return e instanceof SQLTransientConnectionException
        || e instanceof java.sql.SQLNonTransientConnectionException
        || (state != null && state.startsWith("08"));
  }
}
