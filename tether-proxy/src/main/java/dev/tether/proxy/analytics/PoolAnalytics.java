package dev.tether.proxy.analytics;

import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.table.SessionTracker;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAccumulator;

/**
 * The session analytics of one pool, sampled once a second by {@link Analytics}: counter histories
 * (births, requests, 5xx per server and for the pool) give rates and latency percentiles over
 * moving windows; the latest sampling is kept as {@link PoolFigures} for the admin API, the gauges
 * and the alert rules ({@link PoolSignals}).
 *
 * <p>Meters: {@code tether_affinity_session_births_total{pool}} (births), {@code
 * tether_affinity_session_lifespan_seconds{pool}} (histogram, recorded when a key expires or is
 * forgotten), {@code tether_affinity_server_sessions{pool,server}} (spread), {@code
 * tether_affinity_session_imbalance{pool}}, and for a pool that scrapes its instances {@code
 * tether_instance_sessions}, {@code tether_instance_session_size_bytes} (p99) and {@code
 * tether_instance_store_latency_seconds} (p99) per server.
 */
final class PoolAnalytics implements PoolSignals, AutoCloseable {

  /** Lifespan bucket bounds in seconds: a second to a day. */
  static final double[] LIFESPAN_BUCKETS = {
    1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400
  };

  static final Duration RATE_WINDOW = Duration.ofMinutes(1);

  /** What a pool's analytics is made of. */
  record Parts(
      Pool pool,
      AffinityPolicy affinity,
      PoolTraffic traffic,
      InstanceScraper scraper,
      int historyCapacity) {}

  private final String name;
  private final Pool pool;
  private final SessionTracker tracker;
  private final PoolTraffic traffic;
  private final InstanceScraper scraper;
  private final List<Meter> meters = new ArrayList<>();
  private final MeterRegistry registry;
  private final DistributionSummary lifespan;
  private final DoubleAccumulator lifespanMax =
      new DoubleAccumulator(Math::max, Double.NEGATIVE_INFINITY);
  private final CounterHistory poolHistory; // births, requests, errors
  private final Map<String, CounterHistory> serverHistory = new HashMap<>();
  private volatile PoolFigures figures;

  PoolAnalytics(Parts parts, MeterRegistry registry) {
    this.pool = parts.pool();
    this.name = pool.name();
    this.registry = registry;
    this.tracker = parts.affinity() == null ? null : parts.affinity().stats().sessions();
    this.traffic = parts.traffic();
    this.scraper = parts.scraper();
    this.poolHistory = new CounterHistory(parts.historyCapacity(), 3);
    for (Member m : pool.snapshot().members()) {
      serverHistory.put(
          m.name(),
          new CounterHistory(
              (int) RATE_WINDOW.toSeconds() + 2, 2 + ServerTraffic.LATENCY_BUCKETS.length));
    }
    this.lifespan =
        DistributionSummary.builder("tether.affinity.session.lifespan")
            .description(
                "affinity sessions from first to last request, recorded when they expire or end")
            .baseUnit("seconds")
            .tags("pool", name)
            .serviceLevelObjectives(LIFESPAN_BUCKETS)
            .register(registry);
    meters.add(lifespan);
    if (tracker != null) {
      tracker.listener(
          (server, nanos) -> {
            double s = nanos / 1e9;
            lifespan.record(s);
            lifespanMax.accumulate(s);
          });
      meters.add(
          FunctionCounter.builder("tether.affinity.session.births", tracker, SessionTracker::births)
              .description("affinity keys seen for the first time (session births)")
              .tags("pool", name)
              .register(registry));
    }
    meters.add(
        Gauge.builder("tether.affinity.session.imbalance", this, PoolAnalytics::imbalance)
            .description("max / mean of live sessions over the servers taking work")
            .tags("pool", name)
            .register(registry));
    this.figures = compute(0, false);
    for (Member m : pool.snapshot().members()) {
      String server = m.name();
      meters.add(
          Gauge.builder("tether.affinity.server.sessions", this, p -> p.server(server).live())
              .description("live affinity sessions bound to the server")
              .tags("pool", name, "server", server)
              .register(registry));
      if (scraper != null) {
        meters.add(
            Gauge.builder(
                    "tether.instance.sessions",
                    this,
                    p -> instance(p, server, InstanceFigures::sessions))
                .description("sessions the app instance holds (its tether_sessions_active)")
                .tags("pool", name, "server", server)
                .register(registry));
        meters.add(
            Gauge.builder(
                    "tether.instance.session.size",
                    this,
                    p -> instance(p, server, InstanceFigures::sessionSizeP99Bytes))
                .description(
                    "p99 serialised session size on the instance since the previous scrape")
                .baseUnit("bytes")
                .tags("pool", name, "server", server)
                .register(registry));
        meters.add(
            Gauge.builder(
                    "tether.instance.store.latency",
                    this,
                    p -> instance(p, server, InstanceFigures::storeLatencyP99Seconds))
                .description("p99 session store latency on the instance since the previous scrape")
                .baseUnit("seconds")
                .tags("pool", name, "server", server)
                .register(registry));
      }
    }
  }

  private static double instance(
      PoolAnalytics p, String server, java.util.function.ToDoubleFunction<InstanceFigures> f) {
    InstanceFigures in = p.server(server).instance();
    return in == null ? Double.NaN : f.applyAsDouble(in);
  }

  private PoolFigures.ServerFigures server(String server) {
    for (PoolFigures.ServerFigures s : figures.servers()) {
      if (s.name().equals(server)) {
        return s;
      }
    }
    return new PoolFigures.ServerFigures(
        server, "REMOVED", 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null);
  }

  /** Reads every counter at ticker time {@code nanos} and publishes new figures. */
  void sample(long nanos) {
    figures = compute(nanos, true);
  }

  private PoolFigures compute(long nanos, boolean record) {
    Map<String, Long> live = tracker == null ? Map.of() : tracker.sessions();
    double requests = traffic == null ? 0 : traffic.unserved();
    double errors = requests;
    List<PoolFigures.ServerFigures> servers = new ArrayList<>();
    double[] bounds = ServerTraffic.boundsMillis();
    long total = 0;
    long max = 0;
    int takingWork = 0;
    long takingWorkSessions = 0;
    for (Member m : pool.snapshot().members()) {
      long n = live.getOrDefault(m.name(), 0L);
      total += n;
      if (m.acceptsNew()) {
        takingWork++;
        takingWorkSessions += n;
        max = Math.max(max, n);
      }
      ServerTraffic st = traffic == null ? null : traffic.server(m.name());
      double rps = Double.NaN;
      double eps = Double.NaN;
      double p50 = Double.NaN;
      double p99 = Double.NaN;
      CounterHistory h = serverHistory.get(m.name());
      if (st != null && h != null) {
        double[] reading = st.reading();
        requests += reading[0];
        errors += reading[1];
        if (record) {
          h.add(nanos, reading);
        }
        double[] g = h.growth(RATE_WINDOW.toNanos());
        if (g != null && g[g.length - 1] > 0) {
          double secs = g[g.length - 1];
          rps = g[0] / secs;
          eps = g[1] / secs;
          double[] cumulative = new double[bounds.length];
          for (int i = 0; i < bounds.length - 1; i++) {
            cumulative[i] = g[2 + i];
          }
          cumulative[bounds.length - 1] = g[0];
          p50 = Buckets.quantile(bounds, cumulative, 0.5);
          p99 = Buckets.quantile(bounds, cumulative, 0.99);
        }
      }
      InstanceFigures in = scraper == null ? null : scraper.figures(m.name());
      servers.add(
          new PoolFigures.ServerFigures(m.name(), m.state().name(), n, rps, eps, p50, p99, in));
    }
    double births = tracker == null ? 0 : tracker.births();
    if (record) {
      poolHistory.add(nanos, new double[] {births, requests, errors});
    }
    double imbalance =
        takingWork == 0 || takingWorkSessions == 0
            ? Double.NaN
            : max / ((double) takingWorkSessions / takingWork);
    double[] g = poolHistory.growth(RATE_WINDOW.toNanos());
    double birthRate = g == null || g[3] <= 0 ? Double.NaN : g[0] / g[3];
    return new PoolFigures(name, total, birthRate, imbalance, lifespan(), servers);
  }

  private PoolFigures.Lifespan lifespan() {
    HistogramSnapshot snap = lifespan.takeSnapshot();
    CountAtBucket[] buckets = snap.histogramCounts();
    double[] bounds = new double[buckets.length + 1];
    double[] cumulative = new double[buckets.length + 1];
    for (int i = 0; i < buckets.length; i++) {
      bounds[i] = buckets[i].bucket();
      cumulative[i] = buckets[i].count();
    }
    bounds[buckets.length] = Double.POSITIVE_INFINITY;
    cumulative[buckets.length] = snap.count();
    double max = snap.count() == 0 ? Double.NaN : lifespanMax.get();
    return new PoolFigures.Lifespan(
        snap.count(),
        snap.count() == 0 ? Double.NaN : snap.mean(),
        Math.min(Buckets.quantile(bounds, cumulative, 0.5), max),
        Math.min(Buckets.quantile(bounds, cumulative, 0.9), max),
        Math.min(Buckets.quantile(bounds, cumulative, 0.99), max),
        max);
  }

  /** The latest sampling. */
  PoolFigures figures() {
    return figures;
  }

  @Override
  public String pool() {
    return name;
  }

  @Override
  public double birthRate(Duration window) {
    double[] g = poolHistory.growth(window.toNanos());
    return g == null || g[3] <= 0 ? Double.NaN : g[0] / g[3];
  }

  @Override
  public double imbalance() {
    return figures.imbalance();
  }

  @Override
  public double errorShare(Duration window) {
    double[] g = poolHistory.growth(window.toNanos());
    return g == null || g[1] <= 0 ? Double.NaN : g[2] / g[1];
  }

  @Override
  public Map<String, ServerState> states() {
    Map<String, ServerState> out = new LinkedHashMap<>();
    for (Member m : pool.snapshot().members()) {
      out.put(m.name(), m.state());
    }
    return out;
  }

  @Override
  public Map<String, Double> sessionSizeP99() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (PoolFigures.ServerFigures s : figures.servers()) {
      if (s.instance() != null && !Double.isNaN(s.instance().sessionSizeP99Bytes())) {
        out.put(s.name(), s.instance().sessionSizeP99Bytes());
      }
    }
    return out;
  }

  /**
   * Removes this pool's meters (not the request meters, which outlive a reload) and stops scraping.
   */
  @Override
  public void close() {
    meters.forEach(registry::remove);
    if (tracker != null) {
      tracker.listener(null);
    }
    if (scraper != null) {
      scraper.close();
    }
  }
}
