package dev.tether.bench.idle;

import java.time.Duration;

/**
 * One measurement: read the process's memory, open and hold half the idle connections, let them
 * settle, read again, open and hold the other half, let them settle, read a third time, close them.
 */
final class IdleRun {

  private IdleRun() {}

  /**
   * Runs {@code s} against process {@code pid}; blocks for about {@code s.settle()} and the
   * opening. {@code gc} ({@code null}: none) collects the process's garbage before each reading.
   */
  static IdleReport run(IdleSettings s, long pid, ProcessMemory memory, RemoteGc gc)
      throws InterruptedException {
    HeapReader heap = s.admin() == null ? null : new HeapReader(s.admin());
    try (IdleConnections conns = new IdleConnections(s.target(), s.path())) {
      if (s.warmup() > 0) {
        try (IdleConnections warm = new IdleConnections(s.target(), s.path())) {
          warm.open(s.warmup(), true);
        }
      }
      // let the balancer see the warm-up connections close before the first reading
      pause(Duration.ofMillis(Math.min(500, s.settle().toMillis())));
      if (gc != null) {
        gc.collect(pid);
      }
      long rssBefore = memory.rssKiB(pid);
      int filesBefore = memory.openFiles(pid);
      Long heapBefore = heap == null ? null : heap.heapUsedBytes();
      // half the connections, a reading, then the other half: the second half's growth is the
      // marginal cost of a connection, without the one-time costs the first half pays (code the
      // JIT compiles for this path, the collector's young generation touched for the first time)
      int firstHalf = s.connections() / 2;
      int opened = conns.open(firstHalf, s.request());
      pause(s.settle());
      if (gc != null) {
        gc.collect(pid);
      }
      long rssMiddle = memory.rssKiB(pid);
      Long heapMiddle = heap == null ? null : heap.heapUsedBytes();
      int openMiddle = conns.stillOpen();
      opened += conns.open(s.connections() - firstHalf, s.request());
      pause(s.settle());
      if (gc != null) {
        gc.collect(pid);
      }
      long rssAfter = memory.rssKiB(pid);
      int filesAfter = memory.openFiles(pid);
      Long heapAfter = heap == null ? null : heap.heapUsedBytes();
      int open = conns.stillOpen();
      double perConnection = open == 0 ? 0 : (rssAfter - rssBefore) / (double) open;
      int secondHalf = open - openMiddle;
      double marginal = secondHalf <= 0 ? 0 : (rssAfter - rssMiddle) / (double) secondHalf;
      return new IdleReport(
          s.target().url(),
          pid,
          s.connections(),
          opened,
          open,
          s.request(),
          s.warmup(),
          s.settle().toMillis(),
          s.gc(),
          rssBefore,
          rssMiddle,
          rssAfter,
          perConnection,
          openMiddle,
          marginal,
          filesBefore,
          filesAfter,
          heapBefore,
          heapMiddle,
          heapAfter,
          conns.firstFailure());
    }
  }

  /** The tool's own thread waits; nothing here runs on an event loop. */
  private static void pause(Duration d) throws InterruptedException {
    if (!d.isZero()) {
      Thread.sleep(d.toMillis());
    }
  }
}
