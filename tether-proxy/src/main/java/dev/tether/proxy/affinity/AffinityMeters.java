package dev.tether.proxy.affinity;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityStats;
import dev.tether.balance.affinity.table.StickTable;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes one pool's affinity to Micrometer (anchors G5): decisions by outcome ({@code
 * tether_affinity_decisions_total{pool,mode,outcome}}), new sessions shed by bounded load, live
 * sessions in total, and the stick table's size, hits, misses, evictions and, for a Redis table,
 * the lookups that fell back to the algorithm ({@code tether_stick_table_fallbacks_total}). Meters
 * read the policy's counters when scraped; nothing is added to the request path.
 */
public final class AffinityMeters {

  private AffinityMeters() {}

  /**
   * Registers the meters of {@code policy}, the affinity of pool {@code pool}.
   *
   * @return the meters registered, for a caller that removes them when the pool goes
   */
  public static List<Meter> bind(MeterRegistry registry, String pool, AffinityPolicy policy) {
    requireNonNull(registry, "registry");
    requireNonNull(pool, "pool");
    List<Meter> bound = new ArrayList<>();
    AffinityStats stats = policy.stats();
    for (AffinityOutcome o : AffinityOutcome.values()) {
      bound.add(
          FunctionCounter.builder("tether.affinity.decisions", stats, s -> s.count(o))
              .description("affinity decisions by outcome")
              .tags("pool", pool, "mode", policy.mode(), "outcome", o.label())
              .register(registry));
    }
    bound.add(
        FunctionCounter.builder("tether.affinity.shed", stats, AffinityStats::shed)
            .description("new sessions sent away from a server over its bounded-load share")
            .tags("pool", pool)
            .register(registry));
    bound.add(
        Gauge.builder(
                "tether.affinity.sessions",
                stats,
                s -> s.sessions().sessions().values().stream().mapToLong(Long::longValue).sum())
            .description("live affinity sessions seen within the idle window")
            .tags("pool", pool)
            .register(registry));
    StickTable table = policy.table();
    if (table == null) {
      return bound;
    }
    bound.add(
        Gauge.builder("tether.stick.table.size", table, t -> t.stats().size())
            .tags("pool", pool)
            .register(registry));
    bound.add(
        FunctionCounter.builder("tether.stick.table.hits", table, t -> t.stats().hits())
            .tags("pool", pool)
            .register(registry));
    bound.add(
        FunctionCounter.builder("tether.stick.table.misses", table, t -> t.stats().misses())
            .tags("pool", pool)
            .register(registry));
    bound.add(
        FunctionCounter.builder("tether.stick.table.evictions", table, t -> t.stats().evictions())
            .tags("pool", pool)
            .register(registry));
    if (table instanceof RedisStickTable redis) {
      bound.add(
          FunctionCounter.builder("tether.stick.table.fallbacks", redis, RedisStickTable::fallbacks)
              .description("lookups and writes Redis could not serve; the pool's algorithm decided")
              .tags("pool", pool)
              .register(registry));
      bound.add(
          Gauge.builder("tether.stick.table.unavailable", redis, r -> r.unavailable() ? 1 : 0)
              .tags("pool", pool)
              .register(registry));
    }
    return bound;
  }
}
