package dev.tether.proxy.admin;

import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.ServerLoad;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.affinity.AffinityMeters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The balancer's meters in Prometheus form: per server of every pool its requests in flight ({@code
 * tether_server_in_flight}), requests completed ({@code tether_server_requests_total}), whether it
 * takes new work ({@code tether_server_up}) and whether it is DOWN ({@code tether_server_down});
 * per pool its servers ejected by passive checks ({@code tether_outlier_ejected}) and whether it is
 * in panic mode ({@code tether_pool_panic}); each pool's affinity meters ({@link AffinityMeters});
 * JVM memory, threads and CPU. Meters read live counters when scraped; nothing is added to the
 * request path. {@link #bind} replaces the pool meters after a reload.
 */
final class AdminMeters {

  private final PrometheusMeterRegistry registry;
  private final List<Meter> bound = new ArrayList<>();

  /**
   * @param registry the registry to add to (shared with the session analytics), or null for a new
   *     one
   */
  AdminMeters(PrometheusMeterRegistry registry) {
    this.registry =
        registry != null ? registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  /**
   * Registers the meters of {@code pools}, dropping those of an earlier configuration: only the
   * meters registered here, never one another part registered meanwhile (an ejection counter
   * registered while a server is added must outlive the server's removal).
   */
  synchronized void bind(Map<String, Pool> pools, Function<String, AffinityPolicy> affinities) {
    // Only the meters bound here: the analytics' meters in the same registry have their own life.
    bound.forEach(registry::remove);
    bound.clear();
    for (Pool pool : pools.values()) {
      for (Member m : pool.snapshot().members()) {
        ServerLoad load = m.load();
        String server = m.name();
        bound.add(
            Gauge.builder("tether.server.in.flight", load, ServerLoad::inFlight)
                .description("requests sent to the server and not finished")
                .tags("pool", pool.name(), "server", server)
                .strongReference(true)
                .register(registry));
        bound.add(
            FunctionCounter.builder("tether.server.requests", load, ServerLoad::completed)
                .description("requests the server finished")
                .tags("pool", pool.name(), "server", server)
                .register(registry));
        bound.add(
            Gauge.builder("tether.server.up", pool, p -> state(p, server) == ServerState.UP ? 1 : 0)
                .description("1 while the server takes new work (UP), else 0")
                .tags("pool", pool.name(), "server", server)
                .strongReference(true)
                .register(registry));
        bound.add(
            Gauge.builder(
                    "tether.server.down", pool, p -> state(p, server) == ServerState.DOWN ? 1 : 0)
                .description("1 while the server is DOWN by its health checks, else 0")
                .tags("pool", pool.name(), "server", server)
                .strongReference(true)
                .register(registry));
      }
      bound.add(
          Gauge.builder("tether.outlier.ejected", pool, p -> p.snapshot().ejectedCount())
              .description("servers ejected by passive health checks")
              .tags("pool", pool.name())
              .strongReference(true)
              .register(registry));
      bound.add(
          Gauge.builder("tether.pool.panic", pool, p -> p.snapshot().panic() ? 1 : 0)
              .description("1 while the pool is in panic mode (too few healthy servers), else 0")
              .tags("pool", pool.name())
              .strongReference(true)
              .register(registry));
      AffinityPolicy affinity = affinities.apply(pool.name());
      if (affinity != null) {
        bound.addAll(AffinityMeters.bind(registry, pool.name(), affinity));
      }
    }
  }

  private static ServerState state(Pool pool, String server) {
    Member m = pool.snapshot().member(server);
    return m == null ? ServerState.DISABLED : m.state();
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }
}
