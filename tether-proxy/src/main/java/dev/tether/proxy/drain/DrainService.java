package dev.tether.proxy.drain;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.DrainMode;
import dev.tether.balance.affinity.DrainRules;
import dev.tether.proxy.config.DrainConfig;
import dev.tether.proxy.outlier.Scheduler;
import dev.tether.proxy.tunnel.TunnelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains servers until they are done, for every pool: starts a drain (state {@code DRAINING},
 * since, deadline), answers where it stands ({@link DrainStatus}), and closes the tunnels of
 * draining servers.
 *
 * <p>Design note: the pool's server state is the truth; this service adds the when. A server found
 * {@code DRAINING} without a drain of record (an agent or a health response asked for it) gets one
 * from the moment it is noticed; a drain whose server left {@code DRAINING} is forgotten. Every
 * {@link #TICK} a timer closes tunnels: WebSocket tunnels of a server draining in mode hard or
 * boundary (whose reconnecting clients are re-pinned elsewhere) from the start, and in mode soft
 * (whose clients would come back to the same server) once the deadline has passed; other tunnels,
 * which have no way to ask their client to reconnect, at the deadline. WebSocket closes follow a
 * token bucket of {@code tunnel-close-rate} per second per pool, so reconnecting clients arrive
 * spread out rather than as one herd. Sessions and in-flight requests are never cut: at the
 * deadline the drain reports itself overdue and the operator decides.
 *
 * <p>Thread-safe: mutators and the timer synchronise on this; the admin API calls from its own
 * threads, never an event loop.
 */
public final class DrainService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DrainService.class);

  /** How often tunnels of draining servers are looked at. */
  public static final Duration TICK = Duration.ofMillis(100);

  /** One pool as a drain sees it; {@code affinity} and {@code tunnels} may be {@code null}. */
  public record PoolView(
      Pool pool, DrainConfig config, AffinityPolicy affinity, TunnelRegistry tunnels) {
    public PoolView {
      requireNonNull(pool, "pool");
      requireNonNull(config, "config");
    }
  }

  private record Key(String pool, String server) {}

  /** A drain of record: when it started and when it should be over ({@code null}: no deadline). */
  private record Drain(Instant since, Instant deadline) {}

  private final Clock clock;
  private final Scheduler scheduler;
  private Map<String, PoolView> pools = Map.of();
  private final Map<Key, Drain> drains = new HashMap<>();
  private final Map<String, Double> allowance = new HashMap<>();
  private Instant lastTick;
  private Runnable cancel;
  private boolean closed;

  /** A service whose timer runs through {@code scheduler}, reading time from {@code clock}. */
  public DrainService(Clock clock, Scheduler scheduler) {
    this.clock = requireNonNull(clock, "clock");
    this.scheduler = requireNonNull(scheduler, "scheduler");
  }

  /**
   * Takes the pools in force (at start and after every reload) and gives each pool's affinity its
   * drain rules; starts the timer on the first call.
   */
  public synchronized void bind(Map<String, PoolView> views) {
    this.pools = Map.copyOf(views);
    for (PoolView v : pools.values()) {
      if (v.affinity() != null) {
        v.affinity().drainRules(new DrainRules(v.config().mode(), v.config().boundaryIdle()));
      }
    }
    drains.keySet().removeIf(k -> !pools.containsKey(k.pool()));
    allowance.keySet().retainAll(pools.keySet());
    if (cancel == null && !closed) {
      schedule();
    }
  }

  /**
   * Starts draining {@code server} (or, when it drains already, keeps its start and sets the new
   * deadline if one is given).
   *
   * @param deadline how long the drain may take; {@code null}: the pool's {@code drain.deadline},
   *     if any (for a drain under way: its deadline stays)
   * @throws NoSuchElementException naming the pool or server that does not exist
   */
  public DrainStatus start(String pool, String server, Duration deadline) {
    return start(pool, server, deadline, null);
  }

  /**
   * {@link #start(String, String, Duration)} with the state set by {@code setDraining} (given the
   * server's name, it sets DRAINING and returns the state before), e.g. through the pool's health
   * checker so that an operator's drain outranks the agent header; {@code null}: set on the pool.
   */
  public synchronized DrainStatus start(
      String pool,
      String server,
      Duration deadline,
      java.util.function.Function<String, ServerState> setDraining) {
    PoolView v = view(pool, server);
    Instant now = clock.instant();
    ServerState from =
        setDraining != null
            ? setDraining.apply(server)
            : v.pool().setState(server, ServerState.DRAINING);
    Key key = new Key(pool, server);
    Drain current = from == ServerState.DRAINING ? drains.get(key) : null;
    Duration d = deadline != null ? deadline : v.config().deadline();
    Drain next;
    if (current == null) {
      next = new Drain(now, d == null ? null : now.plus(d));
    } else {
      next = new Drain(current.since(), deadline == null ? current.deadline() : now.plus(deadline));
    }
    drains.put(key, next);
    log.info(
        "drain: pool {} server {} draining ({} -> DRAINING, mode {}, deadline {})",
        pool,
        server,
        from,
        v.config().mode().name().toLowerCase(java.util.Locale.ROOT),
        next.deadline() == null ? "none" : next.deadline());
    return status(v, server, now);
  }

  /**
   * Where the drain of {@code server} stands; for a server that is not draining, its state with
   * {@code since} and {@code deadline} {@code null}.
   *
   * @throws NoSuchElementException naming the pool or server that does not exist
   */
  public synchronized DrainStatus status(String pool, String server) {
    return status(view(pool, server), server, clock.instant());
  }

  /** Open tunnels to {@code server} of {@code pool}; 0 for an unknown pool or server. */
  public synchronized int tunnels(String pool, String server) {
    PoolView v = pools.get(pool);
    return v == null || v.tunnels() == null ? 0 : v.tunnels().count(server);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (cancel != null) {
      cancel.run();
      cancel = null;
    }
  }

  private PoolView view(String pool, String server) {
    PoolView v = pools.get(pool);
    if (v == null) {
      throw new NoSuchElementException(
          "no pool '" + pool + "'; pools: " + new java.util.TreeSet<>(pools.keySet()));
    }
    if (v.pool().snapshot().member(server) == null) {
      throw new NoSuchElementException("pool " + pool + " has no server '" + server + "'");
    }
    return v;
  }

  private DrainStatus status(PoolView v, String server, Instant now) {
    Member m = v.pool().snapshot().member(server);
    Drain d = m.state() == ServerState.DRAINING ? drainOf(v, server, now) : null;
    long sessions = v.affinity() == null ? 0 : v.affinity().stats().sessionsRemaining(server);
    int tunnels = v.tunnels() == null ? 0 : v.tunnels().count(server);
    DrainStatus s =
        new DrainStatus(
            v.pool().name(),
            server,
            m.state(),
            sessions,
            m.load().inFlight(),
            tunnels,
            v.config().mode(),
            d == null ? null : d.since(),
            d == null ? null : d.deadline(),
            false);
    boolean overdue = d != null && d.deadline() != null && !now.isBefore(d.deadline()) && !s.done();
    return overdue
        ? new DrainStatus(
            s.pool(),
            server,
            s.state(),
            sessions,
            s.inFlight(),
            tunnels,
            s.mode(),
            s.since(),
            s.deadline(),
            true)
        : s;
  }

  /** The drain of record of a DRAINING server, made now if there is none. */
  private Drain drainOf(PoolView v, String server, Instant now) {
    return drains.computeIfAbsent(
        new Key(v.pool().name(), server),
        k -> {
          Duration d = v.config().deadline();
          return new Drain(now, d == null ? null : now.plus(d));
        });
  }

  private void schedule() {
    cancel = scheduler.schedule(this::tickAndReschedule, TICK);
  }

  private synchronized void tickAndReschedule() {
    if (closed) {
      return;
    }
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("drain: closing tunnels failed", e);
    }
    schedule();
  }

  /** One round: forget drains that ended, close the tunnels that are due. */
  synchronized void tick() {
    Instant now = clock.instant();
    double elapsed =
        lastTick == null
            ? TICK.toNanos() / 1e9
            : Math.min(1.0, Math.max(0, Duration.between(lastTick, now).toNanos() / 1e9));
    lastTick = now;
    drains
        .keySet()
        .removeIf(
            k -> {
              PoolView v = pools.get(k.pool());
              Member m = v == null ? null : v.pool().snapshot().member(k.server());
              return m == null || m.state() != ServerState.DRAINING;
            });
    for (PoolView v : pools.values()) {
      List<TunnelRegistry.Entry> due = new ArrayList<>();
      for (Member m : v.pool().snapshot().members()) {
        if (m.state() != ServerState.DRAINING) {
          continue;
        }
        Drain d = drainOf(v, m.name(), now);
        if (v.tunnels() == null) {
          continue;
        }
        boolean overdue = d.deadline() != null && !now.isBefore(d.deadline());
        boolean closeWebSockets = overdue || v.config().mode() != DrainMode.SOFT;
        for (TunnelRegistry.Entry e : v.tunnels().of(m.name())) {
          if (e.goingAway()) {
            continue;
          }
          if (e.webSocket() && closeWebSockets) {
            due.add(e);
          } else if (!e.webSocket() && overdue) {
            e.goAway();
          }
        }
      }
      closeWebSockets(v, due, elapsed);
    }
  }

  /** Closes as many of {@code due} as the pool's token bucket allows. */
  private void closeWebSockets(PoolView v, List<TunnelRegistry.Entry> due, double elapsed) {
    String pool = v.pool().name();
    int rate = v.config().tunnelCloseRate();
    double burst = Math.max(1.0, rate * TICK.toNanos() / 1e9);
    double tokens = Math.min(burst, allowance.getOrDefault(pool, 0.0) + rate * elapsed);
    int closed = 0;
    for (TunnelRegistry.Entry e : due) {
      if (tokens < 1) {
        break;
      }
      e.goAway();
      tokens -= 1;
      closed++;
    }
    allowance.put(pool, tokens);
    if (closed > 0) {
      log.debug(
          "drain: pool {} asked {} WebSocket tunnel(s) to go away (1001), {} waiting",
          pool,
          closed,
          due.size() - closed);
    }
  }
}
