package dev.tether.session.metrics;

import static java.util.Objects.requireNonNull;

import dev.tether.session.SessionListener;
import dev.tether.session.cache.NearCacheStore;
import dev.tether.session.circuit.CircuitBreaker;
import dev.tether.session.spi.SessionRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session metrics in Micrometer, as a {@link SessionListener} to pass to the manager's builder:
 *
 * <ul>
 *   <li>{@code tether.sessions.created}, {@code .expired}, {@code .deleted}, {@code .rotated},
 *       {@code .conflicts}, {@code .lost.saves}, {@code .unknown.ids}, {@code .unknown.id.floods} —
 *       counters;
 *   <li>{@code tether.sessions.binding.mismatches} — counter of requests from a client other than
 *       the one the session is bound to, tagged {@code property} ({@code address}, {@code
 *       user-agent}) and {@code action} ({@code alert}, {@code terminate});
 *   <li>{@code tether.sessions.active} — gauge: sessions this instance created minus those it
 *       expired or deleted; summed over all instances it is the cluster's live sessions, because
 *       each session is created once and ended once;
 *   <li>{@code tether.sessions.lifespan} — distribution of seconds from creation to end, with a
 *       histogram;
 *   <li>{@code tether.sessions.store.latency} — timer per store {@code operation};
 *   <li>{@code tether.sessions.size} — distribution of a session's serialised size in bytes
 *       (attribute names and encoded values) each time it is written with changes, with a histogram
 *       (Prometheus {@code tether_sessions_size_bytes});
 *   <li>{@code tether.sessions.nearcache.hits}, {@code .misses}, {@code .hit.ratio} — after {@link
 *       #bindNearCache};
 *   <li>{@code tether.sessions.store.circuit.state} — gauge of the store's circuit breaker: 0
 *       closed, 1 half-open, 2 open; {@code tether.sessions.store.circuit.transitions} — counter
 *       tagged {@code to} ({@code closed}, {@code half-open}, {@code open}) — after {@link
 *       #bindCircuitBreaker}.
 * </ul>
 *
 * <pre>{@code
 * SessionMetrics metrics = new SessionMetrics(registry);
 * SessionManager m = SessionManager.builder(store).listener(metrics).build();
 * }</pre>
 */
public final class SessionMetrics implements SessionListener {

  private final MeterRegistry registry;
  private final Counter created;
  private final Counter expired;
  private final Counter deleted;
  private final Counter rotated;
  private final Counter conflicts;
  private final Counter lostSaves;
  private final Counter unknownIds;
  private final Counter floods;
  private final DistributionSummary lifespan;
  private final DistributionSummary size;
  private final AtomicLong active = new AtomicLong();
  private final ConcurrentHashMap<String, Timer> latency = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> mismatches = new ConcurrentHashMap<>();

  /** Registers the session meters in {@code registry}. */
  public SessionMetrics(MeterRegistry registry) {
    this.registry = requireNonNull(registry, "registry");
    created = Counter.builder("tether.sessions.created").register(registry);
    expired = Counter.builder("tether.sessions.expired").register(registry);
    deleted = Counter.builder("tether.sessions.deleted").register(registry);
    rotated = Counter.builder("tether.sessions.rotated").register(registry);
    conflicts =
        Counter.builder("tether.sessions.conflicts")
            .description("attributes overwritten by a concurrent request (last writer wins)")
            .register(registry);
    lostSaves = Counter.builder("tether.sessions.lost.saves").register(registry);
    unknownIds = Counter.builder("tether.sessions.unknown.ids").register(registry);
    floods = Counter.builder("tether.sessions.unknown.id.floods").register(registry);
    lifespan =
        DistributionSummary.builder("tether.sessions.lifespan")
            .baseUnit("seconds")
            .publishPercentileHistogram()
            .register(registry);
    size =
        DistributionSummary.builder("tether.sessions.size")
            .description("serialised size of a session when written with changes")
            .baseUnit("bytes")
            .publishPercentileHistogram()
            .minimumExpectedValue(16.0)
            .maximumExpectedValue(4.0 * 1024 * 1024)
            .register(registry);
    Gauge.builder("tether.sessions.active", active, AtomicLong::get).register(registry);
  }

  /** Adds near-cache hit, miss and hit-ratio meters for {@code cache}. */
  public SessionMetrics bindNearCache(NearCacheStore cache) {
    FunctionCounter.builder("tether.sessions.nearcache.hits", cache, NearCacheStore::hits)
        .register(registry);
    FunctionCounter.builder("tether.sessions.nearcache.misses", cache, NearCacheStore::misses)
        .register(registry);
    Gauge.builder("tether.sessions.nearcache.hit.ratio", cache, NearCacheStore::hitRatio)
        .register(registry);
    return this;
  }

  /** Adds the circuit breaker's state gauge and transition counters for {@code breaker}. */
  public SessionMetrics bindCircuitBreaker(CircuitBreaker breaker) {
    requireNonNull(breaker, "breaker");
    Gauge.builder("tether.sessions.store.circuit.state", breaker, b -> b.state().code())
        .description("the session store's circuit breaker: 0 closed, 1 half-open, 2 open")
        .register(registry);
    java.util.Map<CircuitBreaker.State, Counter> transitions =
        new java.util.EnumMap<>(CircuitBreaker.State.class);
    for (CircuitBreaker.State s : CircuitBreaker.State.values()) {
      transitions.put(
          s,
          Counter.builder("tether.sessions.store.circuit.transitions")
              .description("changes of the session store's circuit breaker, by the state entered")
              .tag("to", s.label())
              .register(registry));
    }
    breaker.addListener(t -> transitions.get(t.to()).increment());
    return this;
  }

  @Override
  public void created(String idDigest) {
    created.increment();
    active.incrementAndGet();
  }

  @Override
  public void expired(String idDigest, SessionRecord record) {
    expired.increment();
    active.decrementAndGet();
    lifespan.record(Duration.between(record.createdAt(), record.expiresAt()).toSeconds());
  }

  @Override
  public void deleted(String idDigest, long lifetimeSeconds) {
    deleted.increment();
    active.decrementAndGet();
    if (lifetimeSeconds >= 0) {
      lifespan.record(lifetimeSeconds);
    }
  }

  @Override
  public void rotated(String oldIdDigest, String newIdDigest) {
    rotated.increment();
  }

  @Override
  public void conflict(String idDigest, Set<String> attributes) {
    conflicts.increment(attributes.size());
  }

  @Override
  public void unknownId(String clientAddress) {
    unknownIds.increment();
  }

  @Override
  public void unknownIdFlood(String clientAddress, int count) {
    floods.increment();
  }

  @Override
  public void lostSave(String idDigest) {
    lostSaves.increment();
  }

  @Override
  public void bindingMismatch(String idDigest, String property, boolean terminated) {
    String action = terminated ? "terminate" : "alert";
    mismatches
        .computeIfAbsent(
            property + "/" + action,
            k ->
                Counter.builder("tether.sessions.binding.mismatches")
                    .description("requests from a client other than the session's bound one")
                    .tag("property", property)
                    .tag("action", action)
                    .register(registry))
        .increment();
  }

  @Override
  public void written(String idDigest, long sizeBytes) {
    size.record(sizeBytes);
  }

  @Override
  public void storeLatency(String operation, long nanos) {
    latency
        .computeIfAbsent(
            operation,
            op ->
                Timer.builder("tether.sessions.store.latency")
                    .tag("operation", op)
                    .publishPercentileHistogram()
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
