package dev.tether.proxy.log;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.log.AccessLogger.Entry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.slf4j.LoggerFactory;

/**
 * What logging one request costs the event loop, the previous access log against the current one,
 * in both formats. {@code legacy}: the line built as a String as before ({@code String.format} for
 * the milliseconds) and handed to logback's {@code AsyncAppender} as {@code tether run} configured
 * it (queue 8192, never block, the same timestamp pattern), whose worker encodes and writes to a
 * discarding stream. {@code buffered}: {@link AccessLogger#log} — bytes encoded into the loop's 64k
 * buffer, a full buffer handed to the writer thread, which writes to a discarding destination. Only
 * the calling thread is measured; the consumer threads run on the other core. {@code encodeOnly}:
 * the current encoding into a reused array, no hand-off. Each op builds the {@link Entry} the way
 * the frontend does (cookie-affinity hit, 14-byte answer).
 *
 * <p>Measured 2026-12-03 on the shared 2-core build machine (Temurin 25, load average 2.7-3.5 from
 * other work, so the error bars are wide), ns/op and B/op, plain / json: legacy 710 ± 476 / 760 ±
 * 180 ns, 1481 / 1293 B; buffered 128 ± 35 / 185 ± 86 ns, 64 / 64 B (the {@link Entry} record the
 * caller builds; encoding and hand-off allocate nothing); encodeOnly 164 ± 64 / 132 ± 14 ns. The
 * legacy figure leaves out what its appender thread then spends per line (pattern, encoding, one
 * write per line), which on a 2-core machine the proxy pays too.
 *
 * <p>Run (the machine is shared: report the error bars):
 *
 * <pre>
 * ./mvnw -q -B -pl tether-bench -am package -DskipTests
 * java -jar tether-bench/target/benchmarks.jar AccessLogBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessLogBenchmark {

  @Param({"plain", "json"})
  public String format;

  private static final OutputStream DISCARD = OutputStream.nullOutputStream();

  private final String client = "203.0.113.7";
  private final String path = "/cart?item=1234";
  private long micros = 1234;
  private EmbeddedChannel channel;
  private EventExecutor loop;
  private AccessLogger buffered;
  private org.slf4j.Logger legacyLogger;
  private LoggerContext logback;
  private AsyncAppender async;
  private final LineBytes scratch = new LineBytes(256);
  private Timestamps time;
  private boolean json;

  @Setup
  public void setUp() {
    json = format.equals("json");
    channel = new EmbeddedChannel();
    loop = channel.eventLoop();
    Destination discard =
        new Destination() {
          @Override
          public void write(byte[] b, int off, int len) {
            // measured: the loop's side only
          }

          @Override
          public void reopen() {}

          @Override
          public void close() {}

          @Override
          public String describe() {
            return "discard";
          }
        };
    AccessLog settings =
        new AccessLog(
            true,
            json ? AccessLog.Format.JSON : AccessLog.Format.PLAIN,
            null,
            AccessLog.DEFAULT_BUFFER,
            Duration.ofSeconds(1));
    buffered =
        new AccessLogger(
            settings, new AccessLogger.Env(Clock.systemDefaultZone(), System::nanoTime, discard));
    time = new Timestamps(Clock.systemDefaultZone());
    legacyLogger = legacyLogback();
  }

  /**
   * The {@code tether.access} logger wired as tether-app's logback.xml did, onto a discarding
   * stream.
   */
  private org.slf4j.Logger legacyLogback() {
    logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(logback);
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %msg%n");
    encoder.start();
    OutputStreamAppender<ILoggingEvent> out = new OutputStreamAppender<>();
    out.setContext(logback);
    out.setEncoder(encoder);
    out.setOutputStream(DISCARD);
    out.start();
    async = new AsyncAppender();
    async.setContext(logback);
    async.setQueueSize(8192);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(out);
    async.start();
    Logger l = logback.getLogger("tether.access.bench");
    l.setAdditive(false);
    l.setLevel(Level.INFO);
    l.addAppender(async);
    return l;
  }

  @TearDown
  public void tearDown() {
    buffered.close();
    async.stop();
    channel.finishAndReleaseAll();
  }

  private Entry entry() {
    micros = (micros + 7) & 0xffff; // a duration that changes, as real ones do
    return new Entry(client, "GET", path, "web", "s2", 200, 14, micros, null, "cookie/hit");
  }

  @Benchmark
  public void legacy() {
    Entry e = entry();
    legacyLogger.info(json ? LegacyFormat.json(e) : LegacyFormat.plain(e));
  }

  @Benchmark
  public void buffered() {
    buffered.log(loop, entry());
  }

  @Benchmark
  public int encodeOnly() {
    Entry e = entry();
    scratch.clear();
    if (json) {
      LineEncoder.jsonLine(e, time, scratch);
    } else {
      LineEncoder.plainLine(e, time, scratch);
    }
    return scratch.length();
  }

  /** The previous access log's line building, kept here as the baseline. */
  static final class LegacyFormat {
    private LegacyFormat() {}

    static String plain(Entry e) {
      StringBuilder sb = new StringBuilder(128);
      sb.append(dash(e.client()))
          .append(' ')
          .append(dash(e.method()))
          .append(' ')
          .append(dash(e.path()))
          .append(" pool=")
          .append(dash(e.pool()))
          .append(" server=")
          .append(dash(e.server()))
          .append(" status=")
          .append(e.status())
          .append(" bytes=")
          .append(e.bytes())
          .append(" ms=")
          .append(String.format("%.3f", e.durationMicros() / 1000.0));
      if (e.affinity() != null) {
        sb.append(" affinity=").append(e.affinity());
      }
      if (e.note() != null) {
        sb.append(" note=\"").append(e.note().replace('"', '\'')).append('"');
      }
      return sb.toString();
    }

    static String json(Entry e) {
      StringBuilder sb = new StringBuilder(192).append('{');
      field(sb, "client", e.client()).append(',');
      field(sb, "method", e.method()).append(',');
      field(sb, "path", e.path()).append(',');
      field(sb, "pool", e.pool()).append(',');
      field(sb, "server", e.server()).append(',');
      sb.append("\"status\":").append(e.status()).append(',');
      sb.append("\"bytes\":").append(e.bytes()).append(',');
      sb.append("\"duration_us\":").append(e.durationMicros());
      if (e.affinity() != null) {
        field(sb.append(','), "affinity", e.affinity());
      }
      if (e.note() != null) {
        field(sb.append(','), "note", e.note());
      }
      return sb.append('}').toString();
    }

    private static String dash(String s) {
      return s == null ? "-" : s;
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
      sb.append('"').append(name).append("\":");
      if (value == null) {
        return sb.append("null");
      }
      sb.append('"');
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          default -> {
            if (c < 0x20) {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      return sb.append('"');
    }
  }
}
