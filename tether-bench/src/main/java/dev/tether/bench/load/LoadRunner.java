package dev.tether.bench.load;

import static java.util.Objects.requireNonNull;

import dev.tether.bench.load.chaos.ChaosHooks;
import dev.tether.bench.load.chaos.ChaosOutcome;
import dev.tether.bench.load.chaos.ChaosRunner;
import dev.tether.bench.load.scenario.Scenario;
import dev.tether.proxy.config.Transport;
import dev.tether.proxy.transport.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Runs virtual users against a target for a duration, with an optional chaos schedule, printing a
 * progress line each second, and returns the {@link LoadReport}.
 *
 * <p>The client is Netty (native transport when it loads): one keep-alive connection per user, all
 * users of an event loop driven from it, so one core drives tens of thousands of requests per
 * second; see docs/BENCHMARKS.md for the measurement against the JDK HttpClient.
 */
public final class LoadRunner implements ChaosHooks {

  /** What a run needs besides its settings. */
  public record Options(
      LoadSettings settings,
      Scenario scenario,
      Function<ChaosHooks, ChaosRunner> chaos,
      PrintStream progress,
      boolean terminal) {
    public Options {
      requireNonNull(settings, "settings");
      requireNonNull(scenario, "scenario");
      requireNonNull(progress, "progress");
    }
  }

  private final Options options;
  private final LongSupplier clock = System::nanoTime;
  private final LoadStats stats = new LoadStats();
  private final List<VirtualUser> users = new ArrayList<>();
  private volatile RePinWatch watch;
  private CountDownLatch done;

  private LoadRunner(Options options) {
    this.options = options;
  }

  /** Runs {@code options} to the end and returns the report. */
  public static LoadReport run(Options options) throws InterruptedException {
    return new LoadRunner(options).run();
  }

  private LoadReport run() throws InterruptedException {
    LoadSettings s = options.settings();
    NettyTransport transport = NettyTransport.resolve(Transport.AUTO);
    EventLoopGroup group = transport.newGroup(s.threads(), "tether-bench");
    try {
      Bootstrap bootstrap =
          new Bootstrap()
              .group(group)
              .channel(transport.socketChannel())
              .option(ChannelOption.TCP_NODELAY, true)
              .option(
                  ChannelOption.CONNECT_TIMEOUT_MILLIS,
                  (int) Math.min(s.timeout().toMillis(), 10_000));
      long start = clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(50);
      long end = start + s.duration().toNanos();
      done = new CountDownLatch(s.users());
      Context ctx = new Context(s, bootstrap, start, end);
      for (int i = 0; i < s.users(); i++) {
        users.add(new VirtualUser(i, options.scenario().newUser(i), group.next(), ctx));
      }
      ChaosRunner chaos = options.chaos() == null ? null : options.chaos().apply(this);
      users.forEach(u -> u.start(start));
      if (chaos != null) {
        chaos.start(start);
      }
      progressUntilDone(start, end);
      List<ChaosOutcome> outcomes = chaos == null ? List.of() : chaos.stop();
      return report(start, outcomes);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private void progressUntilDone(long start, long end) throws InterruptedException {
    long last = start;
    long limit = end + options.settings().timeout().toNanos() + TimeUnit.SECONDS.toNanos(2);
    while (!done.await(1, TimeUnit.SECONDS)) {
      long now = clock.getAsLong();
      if (now - limit > 0) {
        break;
      }
      Histogram h = stats.interval();
      String line =
          ReportText.progress(
              (now - start) / 1e9,
              h,
              Math.max(1e-3, (now - last) / 1e9),
              stats,
              usersPerInstance());
      last = now;
      if (options.terminal()) {
        options.progress().print("\r" + line + "\u001b[K");
      } else {
        options.progress().println(line);
      }
      options.progress().flush();
    }
    if (options.terminal()) {
      options.progress().println();
    }
  }

  private LoadReport report(long start, List<ChaosOutcome> outcomes) {
    stats.interval();
    Histogram h = stats.total();
    LoadSettings s = options.settings();
    List<ChaosOutcome> chaos = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      ChaosOutcome o = outcomes.get(i);
      RePinWatch w = watchFor(i);
      chaos.add(w == null ? o : o.withRePin(w.rePinMillis()));
    }
    double seconds = s.duration().toNanos() / 1e9;
    long requests = stats.requests.sum();
    LoadReport.Latency latency =
        new LoadReport.Latency(
            ReportText.ms(h.getValueAtPercentile(50)),
            ReportText.ms(h.getValueAtPercentile(90)),
            ReportText.ms(h.getValueAtPercentile(99)),
            ReportText.ms(h.getValueAtPercentile(99.9)),
            ReportText.ms(h.getMaxValue()),
            h.getMean() / 1e6);
    return new LoadReport(
        options.scenario().name(),
        s.target().url(),
        s.users(),
        seconds,
        s.rate() == null ? "closed" : "open",
        s.rate(),
        requests,
        requests / seconds,
        stats.errors.sum(),
        stats.failures.sum(),
        stats.failuresAtKill.sum(),
        stats.lost.sum(),
        latency,
        stats.perInstance(),
        stats.lostSamples(),
        stats.errorSamples(),
        chaos);
  }

  private final Map<Integer, RePinWatch> byAction = new HashMap<>();

  private RePinWatch watchFor(int action) {
    synchronized (byAction) {
      return byAction.get(action);
    }
  }

  /** Users per instance that answered them last. */
  Map<String, Integer> usersPerInstance() {
    Map<String, Integer> out = new TreeMap<>();
    for (VirtualUser u : users) {
      String i = u.instance;
      if (i != null) {
        out.merge(i, 1, Integer::sum);
      }
    }
    return out;
  }

  @Override
  public String busiestInstance() {
    return usersPerInstance().entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElse(null);
  }

  /** An instance's kill: from the moment it was asked for until the admin API answered. */
  private static final class KillWindow {
    final String instance;
    final long from;
    volatile long to = Long.MAX_VALUE;

    KillWindow(String instance, long from) {
      this.instance = instance;
      this.from = from;
    }
  }

  private final List<KillWindow> kills = new CopyOnWriteArrayList<>();

  @Override
  public void killing(String instance) {
    kills.add(new KillWindow(instance, clock.getAsLong()));
  }

  @Override
  public void killDone(String instance) {
    long now = clock.getAsLong();
    for (KillWindow w : kills) {
      if (w.instance.equals(instance) && w.to == Long.MAX_VALUE) {
        w.to = now;
      }
    }
  }

  /** The watch of the action before the one being sent; the schedule's thread only. */
  private RePinWatch before;

  @Override
  public void acting() {
    before = watch;
    watch = null;
  }

  @Override
  public void acted(int index, boolean ok, long nanos) {
    if (!ok) {
      watch = before;
      return;
    }
    RePinWatch w = new RePinWatch(nanos, users.size());
    synchronized (byAction) {
      byAction.put(index, w);
    }
    watch = w;
  }

  private final class Context implements LoadContext {
    private final LoadSettings s;
    private final Bootstrap bootstrap;
    private final Pacing pacing;
    private final long start;
    private final long end;
    private final String host;

    Context(LoadSettings s, Bootstrap bootstrap, long start, long end) {
      this.s = s;
      this.bootstrap = bootstrap;
      this.pacing = s.pacing();
      this.start = start;
      this.end = end;
      this.host = s.target().hostHeader();
    }

    @Override
    public LoadTarget target() {
      return s.target();
    }

    @Override
    public String hostHeader() {
      return host;
    }

    @Override
    public Pacing pacing() {
      return pacing;
    }

    @Override
    public Duration timeout() {
      return s.timeout();
    }

    @Override
    public LongSupplier clock() {
      return clock;
    }

    @Override
    public LoadStats stats() {
      return stats;
    }

    @Override
    public Bootstrap bootstrap() {
      return bootstrap;
    }

    @Override
    public long startNanos() {
      return start;
    }

    @Override
    public long endNanos() {
      return end;
    }

    @Override
    public void served(int user, long sentNanos, long nanos) {
      RePinWatch w = watch;
      if (w != null) {
        w.served(user, sentNanos, nanos);
      }
    }

    @Override
    public boolean inFlightAtKill(String instance, long sent, long failed) {
      if (instance == null) {
        return false;
      }
      for (KillWindow w : kills) {
        if (w.instance.equals(instance) && sent - w.to <= 0 && failed - w.from >= 0) {
          return true;
        }
      }
      return false;
    }

    @Override
    public void userDone() {
      done.countDown();
    }
  }
}
