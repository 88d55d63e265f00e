package dev.tether.proxy.analytics;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.config.PoolConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The balancer's session analytics and the meter registry behind {@code GET /metrics}: request
 * meters per pool and server (handed to the data plane as {@link PoolTraffic}), per-pool session
 * figures ({@link PoolFigures}, sampled every second on a daemon thread of its own), and the
 * scrapers of app instances' session metrics.
 *
 * <p>Control plane only: {@link #bind} runs on reload, {@link #sample} on the sampling thread; the
 * data plane only touches the {@link PoolTraffic} it got. Time comes from the injected ticker, so
 * tests call {@link #sample} with a fake one instead of waiting.
 *
 * <pre>{@code
 * Analytics a = Analytics.start(System::nanoTime);
 * a.bind(pools, configs, affinities, addresses);
 * PoolFigures f = a.figures("web");
 * }</pre>
 */
public final class Analytics implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Analytics.class);
  private static final int MAX_HISTORY_SECONDS = 3600;

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final LongSupplier ticker;
  private final ScheduledExecutorService scheduler;
  private final HttpClient http;
  private final Map<String, ServerTraffic> serverTraffic = new HashMap<>();
  private final Map<String, Counter> unserved = new HashMap<>();
  private Map<String, PoolTraffic> traffic = Map.of();
  private volatile Map<String, PoolAnalytics> pools = Map.of();
  private int historySeconds = 61;

  private Analytics(LongSupplier ticker, boolean sampleEverySecond) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("tether-analytics").daemon().factory());
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    if (sampleEverySecond) {
      scheduler.scheduleAtFixedRate(this::sampleSafely, 1, 1, TimeUnit.SECONDS);
    }
  }

  /** Analytics sampling every second by {@code ticker} (monotonic nanoseconds). */
  public static Analytics start(LongSupplier ticker) {
    return new Analytics(ticker, true);
  }

  /** Analytics that samples only when {@link #sample} is called (tests). */
  public static Analytics manual(LongSupplier ticker) {
    return new Analytics(ticker, false);
  }

  /** The registry {@code /metrics} exports; other meters of the balancer register here too. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * How many seconds of pool history to keep, so that rules can average over that long (at least a
   * minute, at most an hour); takes effect at the next {@link #bind}.
   */
  public synchronized void historySeconds(long seconds) {
    this.historySeconds = (int) Math.clamp(seconds + 2, 61, MAX_HISTORY_SECONDS + 2);
  }

  /**
   * Builds the analytics of {@code pools} (a reload), keeping the request meters of servers that
   * stay. Call before publishing a routing table that uses {@link #traffic}.
   *
   * @param configs the pools' configurations (for instance scraping)
   * @param affinities each pool's affinity policy, or {@code null}
   * @param addresses each pool's resolved server addresses
   */
  public synchronized void bind(
      Map<String, Pool> pools,
      Map<String, PoolConfig> configs,
      Function<String, AffinityPolicy> affinities,
      Map<String, Map<String, InetSocketAddress>> addresses) {
    this.pools.values().forEach(PoolAnalytics::close);
    Map<String, ServerTraffic> keep = new HashMap<>();
    Map<String, PoolTraffic> nextTraffic = new HashMap<>();
    Map<String, Counter> nextUnserved = new HashMap<>();
    for (Pool pool : pools.values()) {
      Map<String, ServerTraffic> servers = new HashMap<>();
      for (Member m : pool.snapshot().members()) {
        String key = pool.name() + "/" + m.name();
        ServerTraffic t = serverTraffic.get(key);
        if (t == null) {
          t = new ServerTraffic(registry, pool.name(), m.name());
        }
        keep.put(key, t);
        servers.put(m.name(), t);
      }
      Counter u = unserved.get(pool.name());
      if (u == null) {
        u =
            Counter.builder("tether.pool.unserved")
                .description(
                    "requests answered with a 5xx without any server (none available, strict affinity)")
                .tags("pool", pool.name())
                .register(registry);
      }
      nextUnserved.put(pool.name(), u);
      nextTraffic.put(pool.name(), new PoolTraffic(servers, u));
    }
    serverTraffic.forEach(
        (k, t) -> {
          if (!keep.containsKey(k)) {
            registry.remove(t.latency);
            registry.remove(t.errors);
          }
        });
    unserved.forEach(
        (k, c) -> {
          if (!nextUnserved.containsKey(k)) {
            registry.remove(c);
          }
        });
    serverTraffic.clear();
    serverTraffic.putAll(keep);
    unserved.clear();
    unserved.putAll(nextUnserved);
    this.traffic = Map.copyOf(nextTraffic);
    Map<String, PoolAnalytics> next = new LinkedHashMap<>();
    for (Pool pool : pools.values()) {
      PoolConfig pc = configs.get(pool.name());
      InstanceScraper scraper =
          pc == null || pc.instanceMetrics() == null
              ? null
              : new InstanceScraper(
                  pool.name(),
                  pc.instanceMetrics(),
                  addresses.getOrDefault(pool.name(), Map.of()),
                  scheduler,
                  http);
      next.put(
          pool.name(),
          new PoolAnalytics(
              new PoolAnalytics.Parts(
                  pool,
                  affinities.apply(pool.name()),
                  nextTraffic.get(pool.name()),
                  scraper,
                  historySeconds),
              registry));
    }
    long now = ticker.getAsLong();
    next.values().forEach(p -> p.sample(now)); // the first reading: what happens from now on counts
    this.pools = next;
  }

  /** The request meters the data plane records into for pool {@code pool}, or {@code null}. */
  public synchronized PoolTraffic traffic(String pool) {
    return traffic.get(pool);
  }

  /** Samples every pool now (the sampling thread does this every second). */
  public void sample() {
    long now = ticker.getAsLong();
    for (PoolAnalytics p : pools.values()) {
      p.sample(now);
    }
  }

  private void sampleSafely() {
    try {
      sample();
    } catch (RuntimeException e) {
      log.error("session analytics sampling failed", e);
    }
  }

  /** The latest figures of pool {@code pool}, or {@code null} when there is no such pool. */
  public PoolFigures figures(String pool) {
    PoolAnalytics p = pools.get(pool);
    return p == null ? null : p.figures();
  }

  /** What alert rules read, per pool, in configuration order. */
  public List<PoolSignals> signals() {
    return List.copyOf(pools.values());
  }

  @Override
  public synchronized void close() {
    pools.values().forEach(PoolAnalytics::close);
    pools = Map.of();
    scheduler.shutdownNow();
    http.close();
  }
}
