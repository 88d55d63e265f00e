package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import dev.tether.session.bench.PhaseRunner.Operation;
import dev.tether.session.bench.PhaseRunner.PhaseResult;
import dev.tether.session.bench.RedisCommandCounter.Calls;
import dev.tether.session.spi.CountingSessionStore;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Measures one opened store: creates the sessions, warms up, then runs {@link
 * BenchSettings#rounds()} rounds of saves, loads and near-cache requests, each for {@link
 * BenchSettings#round()} on {@link BenchSettings#threads()} threads. For Redis it then runs a short
 * single-thread counting pass per operation against {@code INFO commandstats}, repeated until no
 * other client used the server during the pass (at most {@value #COUNT_ATTEMPTS} times).
 *
 * <pre>{@code
 * try (OpenedStore s = new StoreOpener(System.getenv(), Clock.systemUTC(), 8).open(StoreTarget.REDIS)) {
 *   StoreResult r = StoreBench.run(s, BenchSettings.defaults(), Clock.systemUTC(), System.err);
 * }
 * }</pre>
 */
public final class StoreBench {

  static final int COUNT_ATTEMPTS = 3;
  private static final int COUNT_OPS = 500;

  private final OpenedStore opened;
  private final BenchSettings settings;
  private final PrintStream progress;
  private final StoreWorkload work;
  private final RedisCommandCounter redis;

  private StoreBench(
      OpenedStore opened, BenchSettings settings, Clock clock, PrintStream progress) {
    this.opened = opened;
    this.settings = settings;
    this.progress = progress;
    this.work = new StoreWorkload(opened.store(), settings, clock);
    this.redis = opened.redis();
  }

  /**
   * Measures {@code opened} and returns its figures; progress lines go to {@code progress}.
   *
   * @throws InterruptedException when interrupted while waiting for the benchmark threads
   */
  public static StoreResult run(
      OpenedStore opened, BenchSettings settings, Clock clock, PrintStream progress)
      throws InterruptedException {
    requireNonNull(opened, "opened");
    requireNonNull(settings, "settings");
    requireNonNull(clock, "clock");
    requireNonNull(progress, "progress");
    return new StoreBench(opened, settings, clock, progress).measure();
  }

  private StoreResult measure() throws InterruptedException {
    String name = opened.target().label();
    progress.printf("%s: %s; creating %d sessions%n", name, opened.detail(), settings.sessions());
    work.createSessions();
    Tally saves = new Tally();
    Tally loads = new Tally();
    Tally near = new Tally();
    long fullReads = 0;
    long versionChecks = 0;
    long nearSaves = 0;
    long hits = 0;
    try (PhaseRunner runner = new PhaseRunner(settings.threads())) {
      if (!settings.warmup().isZero()) {
        work.refreshVersions();
        runner.run(settings.warmup(), work::save);
        runner.run(settings.warmup(), work::load);
        work.primeNearCache();
        runner.run(settings.warmup(), work::nearRequest);
      }
      for (int round = 1; round <= settings.rounds(); round++) {
        work.refreshVersions();
        saves.add(timed(runner, work::save));
        loads.add(timed(runner, work::load));
        work.primeNearCache();
        CountingSessionStore c = work.counting();
        long reads0 = c.loads();
        long checks0 = c.versionChecks();
        long saves0 = c.saves();
        long hits0 = work.nearCache().hits();
        near.add(timed(runner, work::nearRequest));
        fullReads += c.loads() - reads0;
        versionChecks += c.versionChecks() - checks0;
        nearSaves += c.saves() - saves0;
        hits += work.nearCache().hits() - hits0;
        progress.printf(
            Locale.ROOT,
            "%s: round %d: %,.0f saves/s, %,.0f loads/s, %,.0f near-cache requests/s%n",
            name,
            round,
            saves.last(),
            loads.last(),
            near.last());
      }
    }
    StoreResult.Redis redisFigures = redis == null ? null : countRedis(saves, loads, near);
    double[] sticky = work.stickyReads(STICKY_REQUESTS);
    progress.printf(
        Locale.ROOT,
        "%s: store reads per sticky request: %.2f validated by version, %.2f under the balancer's binding%n",
        name,
        sticky[0],
        sticky[1]);
    return new StoreResult(
        name,
        opened.detail(),
        saves.phase(),
        loads.phase(),
        near.phase(),
        new StoreResult.NearCache(near.ops, fullReads, versionChecks, nearSaves, hits),
        redisFigures);
  }

  private Timed timed(PhaseRunner runner, Operation op) throws InterruptedException {
    RedisCommandCounter.Snapshot before = redis == null ? null : redis.snapshot();
    PhaseResult r = runner.run(settings.round(), op);
    Calls calls = redis == null ? Calls.none() : before.until(redis.snapshot());
    return new Timed(r, calls);
  }

  private StoreResult.Redis countRedis(Tally saves, Tally loads, Tally near) {
    work.refreshVersions();
    StoreResult.ServerCount save = countPass(work::save);
    StoreResult.ServerCount load = countPass(work::load);
    work.primeNearCache();
    StoreResult.ServerCount request = countPass(work::nearRequest);
    progress.printf(
        Locale.ROOT,
        "redis: server counted per save %s; per load %s; per near-cache request %s%n",
        save.breakdown(),
        load.breakdown(),
        request.breakdown());
    return new StoreResult.Redis(
        saves.commandsPerOp(), loads.commandsPerOp(), near.commandsPerOp(), save, load, request);
  }

  /** Requests counted for the sticky-read figures. */
  private static final int STICKY_REQUESTS = 2_000;

  private StoreResult.ServerCount countPass(Operation op) {
    StoreResult.ServerCount last = null;
    for (int attempt = 1; attempt <= COUNT_ATTEMPTS; attempt++) {
      RedisCommandCounter.Snapshot before = redis.snapshot();
      for (int k = 0; k < COUNT_OPS; k++) {
        if (!op.run(0, k)) {
          throw new IllegalStateException("an operation failed during the Redis counting pass");
        }
      }
      Calls calls = before.until(redis.snapshot());
      last =
          new StoreResult.ServerCount(
              COUNT_OPS, calls.client(), calls.reads(), calls.server(), calls.exclusive(), attempt);
      if (calls.exclusive()) {
        break;
      }
    }
    return last;
  }

  private record Timed(PhaseResult result, Calls calls) {}

  /** The timed rounds of one operation. */
  private static final class Tally {
    private final List<Double> perSecond = new ArrayList<>();
    private final Histogram latency = new Histogram(3);
    private long ops;
    private long failures;
    private long commands;
    private String firstFailure;

    void add(Timed t) {
      PhaseResult r = t.result();
      perSecond.add(r.perSecond());
      latency.add(r.latency());
      ops += r.ops();
      failures += r.failures();
      commands += t.calls().client();
      if (firstFailure == null) {
        firstFailure = r.firstFailure();
      }
    }

    double last() {
      return perSecond.getLast();
    }

    double commandsPerOp() {
      return ops == 0 ? 0 : (double) commands / ops;
    }

    StoreResult.Phase phase() {
      List<Double> sorted = perSecond.stream().sorted().toList();
      int n = sorted.size();
      double median =
          n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      return new StoreResult.Phase(
          median,
          sorted.getFirst(),
          sorted.getLast(),
          ops,
          failures,
          latency.getValueAtPercentile(50) / 1000.0,
          latency.getValueAtPercentile(99) / 1000.0,
          firstFailure);
    }
  }
}
