package dev.tether.proxy.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.log.AccessLogger.Entry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Buffering per event loop: flush by size and by time (the EmbeddedChannel's loop, whose clock the
 * test advances), drop-and-count when the writer is stuck, the WARN spacing, and the last lines on
 * close.
 */
class AccessLogBufferTest {

  private static final Clock AT =
      Clock.fixed(Instant.parse("2026-12-03T06:41:54.007Z"), ZoneOffset.UTC);

  /** Every line of {@link #entry} is this long: time, message, newline. */
  private static final int LINE = line(0).length();

  private final EmbeddedChannel ch = new EmbeddedChannel();
  private final RecordingDestination dest = new RecordingDestination();
  private AccessLogger logger;

  @BeforeEach
  void freeze() {
    ch.freezeTime(); // the loop's clock moves only when the test advances it
  }

  @AfterEach
  void close() {
    dest.release();
    if (logger != null) {
      logger.close();
    }
    ch.finishAndReleaseAll();
  }

  private static Entry entry(int i) {
    return new Entry("203.0.113.7", "GET", "/item/" + (1000 + i), "web", "s1", 200, 14, 1500, null);
  }

  private static String line(int i) {
    return "2026-12-03T06:41:54.007Z " + AccessLogger.plain(entry(i)) + "\n";
  }

  private AccessLogger logger(int buffer, Duration flush, int queued) {
    logger =
        new AccessLogger(
            new AccessLog(true, AccessLog.Format.PLAIN, null, buffer, flush),
            new AccessLogger.Env(AT, System::nanoTime, dest),
            queued);
    return logger;
  }

  private void log(int from, int to) {
    for (int i = from; i < to; i++) {
      logger.log(ch.eventLoop(), entry(i));
    }
  }

  private static String lines(int from, int to) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < to; i++) {
      sb.append(line(i));
    }
    return sb.toString();
  }

  @Test
  void aFullBufferGoesToTheWriterInOneWrite() {
    logger(3 * LINE + 10, Duration.ofHours(1), 16);
    log(0, 3);
    assertThat(dest.writes()).isEmpty();
    log(3, 4); // does not fit: the first three go, in one write
    await().atMost(Duration.ofSeconds(5)).until(() -> dest.writes().size() == 1);
    assertThat(dest.writes()).containsExactly(lines(0, 3));
    log(4, 7);
    await().atMost(Duration.ofSeconds(5)).until(() -> dest.writes().size() == 2);
    assertThat(dest.writes()).containsExactly(lines(0, 3), lines(3, 6));
    assertThat(logger.dropped()).isZero();
  }

  @Test
  void linesWaitAtMostTheFlushInterval() {
    logger(64 * 1024, Duration.ofSeconds(1), 16);
    log(0, 2);
    ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(logger.submittedBuffers()).isZero();
    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    await().atMost(Duration.ofSeconds(5)).until(() -> dest.writes().size() == 1);
    assertThat(dest.writes()).containsExactly(lines(0, 2));
    ch.advanceTimeBy(1, TimeUnit.SECONDS); // nothing new: no empty write
    ch.runScheduledPendingTasks();
    assertThat(logger.submittedBuffers()).isEqualTo(1);
    log(2, 3);
    ch.advanceTimeBy(1, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    await().atMost(Duration.ofSeconds(5)).until(() -> dest.writes().size() == 2);
    assertThat(dest.writes()).containsExactly(lines(0, 2), lines(2, 3));
  }

  @Test
  void whenTheWriterIsStuckLinesAreDroppedAndCounted_neverWaitedFor() {
    dest.block();
    logger(2 * LINE, Duration.ofHours(1), 1); // two buffers in all: the loop's and one queued
    long start = System.nanoTime();
    log(0, 10);
    // 0,1 fill the first buffer, which goes at 2; 2,3 fill the second, which goes at 4; then none
    // is free
    assertThat(logger.dropped()).isEqualTo(6);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
    dest.release();
    await().atMost(Duration.ofSeconds(5)).until(() -> dest.writes().size() == 2);
    assertThat(dest.writes()).containsExactly(lines(0, 2), lines(2, 4));
    log(10, 13); // buffers are free again
    await().atMost(Duration.ofSeconds(5)).until(() -> dest.writes().size() == 3);
    assertThat(dest.writes().get(2)).isEqualTo(lines(10, 12));
    assertThat(logger.dropped()).isEqualTo(6);
  }

  @Test
  void aLineLongerThanTheBufferGoesOnItsOwn() {
    logger(LINE + 1, Duration.ofHours(1), 16);
    Entry big = new Entry("c", "GET", "/" + "x".repeat(3 * LINE), "web", "s1", 200, 0, 0, null);
    log(0, 1);
    logger.log(ch.eventLoop(), big);
    await().atMost(Duration.ofSeconds(5)).until(() -> dest.writes().size() == 2);
    assertThat(dest.writes().get(0)).isEqualTo(line(0));
    assertThat(dest.writes().get(1))
        .endsWith(
            " /" + "x".repeat(3 * LINE) + " pool=web server=s1 status=200 bytes=0 ms=0.000\n");
  }

  @Test
  void closeWritesWhatTheLoopsStillHold() {
    logger(64 * 1024, Duration.ofHours(1), 16);
    log(0, 5);
    logger.close();
    assertThat(dest.writes()).containsExactly(lines(0, 5));
    assertThat(dest.closed).isTrue();
    logger = null;
  }

  @Test
  void aFailedWriteCountsItsLinesAsDropped() {
    dest.failNext = true;
    logger(2 * LINE, Duration.ofHours(1), 16);
    log(0, 3);
    await().atMost(Duration.ofSeconds(5)).until(() -> logger.dropped() == 2);
  }

  @Test
  void droppedLinesAreWarnedAboutAtMostOncePerMinute() {
    AtomicLong now = new AtomicLong(5);
    LogWriter w =
        new LogWriter(dest, new LogWriter.Settings(1024, 1, TimeUnit.MINUTES.toNanos(1)), now::get);
    w.maybeWarn();
    assertThat(w.warnedUpTo()).isZero(); // nothing dropped, nothing said
    w.drop(3);
    w.maybeWarn();
    assertThat(w.warnedUpTo()).isEqualTo(3);
    w.drop(2);
    now.addAndGet(TimeUnit.SECONDS.toNanos(59));
    w.maybeWarn();
    assertThat(w.warnedUpTo()).isEqualTo(3);
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    w.maybeWarn();
    assertThat(w.warnedUpTo()).isEqualTo(5);
    assertThat(w.dropped()).isEqualTo(5);
  }

  @Test
  void aDisabledLogTouchesNeitherTheLoopNorADestination() {
    logger = new AccessLogger(new AccessLog(false, AccessLog.Format.PLAIN));
    log(0, 3);
    assertThat(logger.enabled()).isFalse();
    assertThat(logger.dropped()).isZero();
    assertThat(logger.submittedBuffers()).isZero();
    assertThat(ch.runScheduledPendingTasks()).as("no flush task scheduled").isEqualTo(-1);
  }

  @Test
  void anEnabledLogSchedulesItsFlushOnTheLoop() {
    logger(64 * 1024, Duration.ofSeconds(1), 16);
    log(0, 1);
    assertThat(ch.runScheduledPendingTasks()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
  }

  /** Records each write; can be made to block or fail. */
  static final class RecordingDestination implements Destination {
    private final List<String> writes = new ArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    volatile boolean failNext;
    volatile boolean closed;

    void block() {
      gate = new CountDownLatch(1);
    }

    void release() {
      gate.countDown();
    }

    synchronized List<String> writes() {
      return List.copyOf(writes);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (failNext) {
        failNext = false;
        throw new IOException("disk full");
      }
      ByteArrayOutputStream copy = new ByteArrayOutputStream();
      copy.write(b, off, len);
      synchronized (this) {
        writes.add(copy.toString(StandardCharsets.UTF_8));
      }
    }

    @Override
    public void reopen() {}

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public String describe() {
      return "recording";
    }
  }
}
