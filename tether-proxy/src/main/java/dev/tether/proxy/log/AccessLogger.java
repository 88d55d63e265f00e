package dev.tether.proxy.log;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.AccessLog;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The access log: one line per request with client, method, path, pool, server, status, response
 * body bytes, duration and, when something went wrong, the reason (docs/access-log.md).
 *
 * <p>Cheap on the event loop by construction: each loop encodes its lines as bytes straight into
 * its own buffer ({@code access-log.buffer}, no strings formatted, nothing boxed, no lock), and a
 * full buffer, or every {@code access-log.flush}, goes whole to one writer thread that writes it to
 * standard output or {@code access-log.path} with one call. When the destination cannot keep up,
 * lines are dropped and counted ({@link #dropped}) instead of the loop waiting. {@link #reopen}
 * reopens the file after log rotation (SIGUSR1 in {@code tether run}).
 *
 * <pre>{@code
 * AccessLogger log = new AccessLogger(config.accessLog());
 * log.log(channel.eventLoop(), entry);   // on that event loop
 * log.close();                           // after the event loops stopped: writes what is left
 * }</pre>
 *
 * <p>Thread-safety: {@link #log} is called on the event loop it names; the other methods from any
 * thread.
 */
public final class AccessLogger implements AutoCloseable {

  /** Buffers that may wait for the destination besides the one each loop fills. */
  static final int QUEUED_BUFFERS = 16;

  private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final boolean enabled;
  private final boolean json;
  private final long flushNanos;
  private final Clock clock;
  private final LogWriter writer;
  private final FastThreadLocal<LoopBuffer> buffers = new FastThreadLocal<>();
  private final List<LoopBuffer> all = new CopyOnWriteArrayList<>();

  /**
   * An access log as {@code settings} say, to standard output or the file {@code settings.path()}.
   *
   * @throws UncheckedIOException when the file cannot be opened (the message names it)
   */
  public AccessLogger(AccessLog settings) {
    this(settings, new Env(Clock.systemDefaultZone(), System::nanoTime, destination(settings)));
  }

  /**
   * What a logger needs from outside, injected so tests control time and the destination.
   *
   * @param clock the wall clock lines are stamped with (its zone gives the offset)
   * @param ticker nanoseconds, for spacing the WARNs about dropped lines
   * @param destination where the writer thread writes; {@code null} when disabled
   */
  record Env(Clock clock, LongSupplier ticker, Destination destination) {
    Env {
      requireNonNull(clock, "clock");
      requireNonNull(ticker, "ticker");
    }
  }

  AccessLogger(AccessLog settings, Env env) {
    this(settings, env, QUEUED_BUFFERS);
  }

  AccessLogger(AccessLog settings, Env env, int queuedBuffers) {
    requireNonNull(settings, "settings");
    this.enabled = settings.enabled() && env.destination() != null;
    this.json = settings.format() == AccessLog.Format.JSON;
    this.flushNanos = settings.flush().toNanos();
    this.clock = env.clock();
    this.writer =
        enabled
            ? new LogWriter(
                env.destination(),
                new LogWriter.Settings(settings.buffer(), queuedBuffers, WARN_EVERY_NANOS),
                env.ticker())
            : null;
  }

  private static Destination destination(AccessLog settings) {
    if (!settings.enabled()) {
      return null;
    }
    if (settings.path() == null) {
      return Destination.stdout();
    }
    try {
      return Destination.file(settings.path());
    } catch (IOException e) {
      throw new UncheckedIOException("access-log.path: " + e.getMessage(), e);
    }
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * One finished (or failed) request. Fields may be {@code null} when unknown; {@code affinity} is
   * the pool's affinity decision as {@code mode/outcome}, e.g. {@code cookie/hit}.
   */
  public record Entry(
      String client,
      String method,
      String path,
      String pool,
      String server,
      int status,
      long bytes,
      long durationMicros,
      String note,
      String affinity) {

    /** An entry without an affinity decision. */
    public Entry(
        String client,
        String method,
        String path,
        String pool,
        String server,
        int status,
        long bytes,
        long durationMicros,
        String note) {
      this(client, method, path, pool, server, status, bytes, durationMicros, note, null);
    }
  }

  /**
   * Logs {@code e}; must be called on {@code loop}, whose buffer it goes into. Never blocks: when
   * every buffer waits for the destination the line is dropped and counted.
   */
  public void log(EventExecutor loop, Entry e) {
    if (!enabled) {
      return;
    }
    assert loop.inEventLoop() : "access log called off its event loop";
    LoopBuffer b = buffers.getIfExists();
    if (b == null) {
      b = newBuffer(loop);
    }
    b.append(e);
  }

  private LoopBuffer newBuffer(EventExecutor loop) {
    LoopBuffer b = new LoopBuffer(writer, json, new Timestamps(clock));
    buffers.set(b);
    all.add(b);
    loop.scheduleAtFixedRate(b::flush, flushNanos, flushNanos, TimeUnit.NANOSECONDS);
    return b;
  }

  /** Lines dropped since start because the destination could not keep up (or a write failed). */
  public long dropped() {
    return enabled ? writer.dropped() : 0;
  }

  /** Buffers handed to the writer thread since start (for tests). */
  long submittedBuffers() {
    return enabled ? writer.submitted() : 0;
  }

  /** Reopens the file by its name before the next write (logrotate's SIGUSR1); stdout: nothing. */
  public void reopen() {
    if (enabled) {
      writer.reopen();
    }
  }

  /**
   * Writes every buffered line and stops the writer thread. Call it after the event loops have
   * stopped (their buffers are read from this thread).
   */
  @Override
  public void close() {
    if (!enabled) {
      return;
    }
    all.forEach(LoopBuffer::flush);
    writer.close(5_000);
  }

  /** The plain message of {@code e} (the line without its time), as a string. */
  static String plain(Entry e) {
    LineBytes out = new LineBytes(128);
    LineEncoder.plain(e, out);
    return new String(out.array(), 0, out.length(), StandardCharsets.UTF_8);
  }

  /** The JSON object of {@code e} without its time field, as a string. */
  static String json(Entry e) {
    LineBytes out = new LineBytes(192).ascii('{');
    LineEncoder.jsonFields(e, out);
    out.ascii('}');
    return new String(out.array(), 0, out.length(), StandardCharsets.UTF_8);
  }
}
