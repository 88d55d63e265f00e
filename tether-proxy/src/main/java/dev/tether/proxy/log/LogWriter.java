package dev.tether.proxy.log;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log's writer thread and the buffers that go to it.
 *
 * <p>Event loops fill buffers ({@link Chunk}s) of {@code buffer} bytes and hand each to this writer
 * whole, by a lock-free queue; the writer writes it with one call and returns it to a free list.
 * The number of buffers is fixed (one per event loop plus {@code queued}), so when the destination
 * cannot keep up the loops run out of free buffers and drop lines (counted, and reported by a WARN
 * at most once per {@code warnEvery}) rather than wait or grow without bound — the trade nginx's
 * {@code access_log … buffer=} makes, but never blocking the loop.
 */
final class LogWriter {

  private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  /** A buffer of whole lines; owned by one loop while filled, then by the writer. */
  static final class Chunk {
    final byte[] bytes;
    int length;
    int lines;

    Chunk(int capacity) {
      this.bytes = new byte[capacity];
    }
  }

  /**
   * @param chunkSize bytes per buffer (the {@code buffer} setting)
   * @param queued buffers that may wait for the destination besides the one each loop fills
   * @param warnEveryNanos least time between two WARNs about dropped lines
   */
  record Settings(int chunkSize, int queued, long warnEveryNanos) {
    Settings {
      if (chunkSize < 1 || queued < 1 || warnEveryNanos < 0) {
        throw new IllegalArgumentException("chunkSize and queued must be positive");
      }
    }
  }

  private final Destination destination;
  private final Settings settings;
  private final LongSupplier ticker;
  private final ConcurrentLinkedQueue<Chunk> queue = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Chunk> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger allocated = new AtomicInteger();
  private final AtomicInteger limit;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder submitted = new LongAdder();
  private volatile boolean reopenRequested;
  private volatile boolean closed;
  private volatile Thread thread;
  // writer thread only
  private long warnedDropped;
  private long lastWarnNanos;
  private boolean warnedOnce;
  private String lastFailure;

  LogWriter(Destination destination, Settings settings, LongSupplier ticker) {
    this.destination = requireNonNull(destination, "destination");
    this.settings = requireNonNull(settings, "settings");
    this.ticker = requireNonNull(ticker, "ticker");
    this.limit = new AtomicInteger(settings.queued());
  }

  int chunkSize() {
    return settings.chunkSize();
  }

  /** One more loop fills buffers: one more buffer may exist. Starts the thread on first use. */
  synchronized void register() {
    limit.incrementAndGet();
    if (thread == null && !closed) {
      thread = Thread.ofPlatform().name("tether-access-log").daemon().unstarted(this::run);
      thread.start();
    }
  }

  /** A free buffer, or {@code null} when all of them wait for the destination. Any thread. */
  Chunk acquire() {
    Chunk c = free.poll();
    if (c != null) {
      return c;
    }
    for (int n = allocated.get(); n < limit.get(); n = allocated.get()) {
      if (allocated.compareAndSet(n, n + 1)) {
        return new Chunk(settings.chunkSize());
      }
    }
    return null;
  }

  /** Hands {@code c} (with at least one line) to the writer thread; never blocks. */
  void submit(Chunk c) {
    submitted.increment();
    queue.offer(c);
    Thread t = thread;
    if (t != null) {
      java.util.concurrent.locks.LockSupport.unpark(t);
    }
  }

  void drop(int lines) {
    dropped.add(lines);
  }

  /** Lines dropped since start because no buffer was free, or lost to a failed write. */
  long dropped() {
    return dropped.sum();
  }

  /** Buffers handed to the writer since start. */
  long submitted() {
    return submitted.sum();
  }

  /** Asks the writer thread to reopen the destination before its next write. */
  void reopen() {
    reopenRequested = true;
    Thread t = thread;
    if (t != null) {
      java.util.concurrent.locks.LockSupport.unpark(t);
    }
  }

  /** Writes what was submitted, stops the thread (waiting up to {@code waitMillis}) and closes. */
  void close(long waitMillis) {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
    }
    if (t == null) {
      drain();
      closeDestination();
      return;
    }
    java.util.concurrent.locks.LockSupport.unpark(t);
    try {
      t.join(waitMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      log.warn(
          "the access log writer did not finish within {} ms; lines still queued are lost",
          waitMillis);
    }
  }

  private void run() {
    while (true) {
      boolean stop = closed; // read before draining: whatever was submitted before close is written
      drain();
      maybeWarn();
      if (stop) {
        break;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(this, IDLE_PARK_NANOS);
    }
    closeDestination();
  }

  /** Writes every queued buffer; the writer thread's (or, with no thread, the closer's) work. */
  void drain() {
    Chunk c;
    while ((c = queue.poll()) != null) {
      if (reopenRequested) {
        doReopen();
      }
      write(c);
    }
    if (reopenRequested) {
      doReopen();
    }
  }

  private void write(Chunk c) {
    try {
      destination.write(c.bytes, 0, c.length);
    } catch (IOException | RuntimeException e) {
      dropped.add(c.lines);
      lastFailure = e.toString();
    }
    c.length = 0;
    c.lines = 0;
    if (c.bytes.length == settings.chunkSize()) {
      free.offer(c);
    } // else an oversized one-line buffer, never counted among the allocated: let it go
  }

  private void doReopen() {
    reopenRequested = false;
    if (!destination.reopens()) {
      log.info("access log: writing to {}, which has no file to reopen", destination.describe());
      return;
    }
    try {
      destination.reopen();
      log.info("access log: reopened {}", destination.describe());
    } catch (IOException e) {
      log.warn(
          "access log: reopening failed, still writing to the previous file: {}", e.getMessage());
    }
  }

  /** WARNs about lines dropped since the last WARN, at most once per {@code warnEvery}. */
  void maybeWarn() {
    long total = dropped.sum();
    if (total == warnedDropped) {
      return;
    }
    long now = ticker.getAsLong();
    if (warnedOnce && now - lastWarnNanos < settings.warnEveryNanos()) {
      return;
    }
    String why = lastFailure == null ? "could not keep up" : "failed (" + lastFailure + ")";
    log.warn(
        "access log: {} lines dropped because {} {} ({} since start; "
            + "tether_access_log_dropped_total)",
        total - warnedDropped,
        destination.describe(),
        why,
        total);
    lastFailure = null;
    warnedDropped = total;
    lastWarnNanos = now;
    warnedOnce = true;
  }

  /** The dropped count the last WARN reported (0 before any). */
  long warnedUpTo() {
    return warnedDropped;
  }

  private void closeDestination() {
    try {
      destination.close();
    } catch (IOException e) {
      log.warn("access log: closing {} failed: {}", destination.describe(), e.toString());
    }
  }
}
