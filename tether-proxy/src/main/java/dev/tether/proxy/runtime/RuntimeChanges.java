package dev.tether.proxy.runtime;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.ServerConfig;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.outlier.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the running configuration changes: a reload of the file, or a server added, removed
 * or re-weighted through the admin API. Each change computes the effective configuration (the file
 * as last loaded plus the {@link RuntimeOverlay}) and has the {@link Target} install it, which
 * gives each changed pool exactly one new snapshot. Changes are serialized on this object; the
 * target's own lock is taken inside it, never the other way round.
 *
 * <p>Removing a server drains it first unless asked to remove it now: it goes {@code DRAINING}
 * (bound sessions keep it, nothing new arrives) and is removed once it is <em>removable</em>: the
 * drain service says it is done (no live session, request in flight or tunnel), or, without one, no
 * request is in flight and its pool's session tracker counts no live session bound to it; or once
 * its deadline has passed. The check runs every {@value #CHECK_MILLIS} ms while a removal is
 * pending. A server that an operator takes out of {@code DRAINING} meanwhile (enable, disable) is
 * not removed: the removal is called off.
 */
public final class RuntimeChanges implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RuntimeChanges.class);
  static final long CHECK_MILLIS = 250;

  /** The balancer that installs configurations and whose pools are read. */
  public interface Target {
    /** Makes {@code effective} the running configuration (pools, routes, checks, analytics). */
    void install(TetherConfig effective);

    /** The running pool {@code name}, or {@code null}. */
    Pool pool(String name);

    /** The affinity policy of pool {@code name}, or {@code null}. */
    AffinityPolicy affinity(String name);

    /**
     * Starts draining {@code server} of {@code pool} until {@code deadline} from now: by default
     * just state {@code DRAINING}; a balancer with a drain service starts a drain of record there
     * (its tunnels are closed, {@code GET .../drain} reports it).
     */
    default void drain(String pool, String server, Duration deadline) {
      Pool p = pool(pool);
      if (p.snapshot().member(server).state() != ServerState.DRAINING) {
        p.setState(server, ServerState.DRAINING);
      }
    }

    /**
     * Whether the draining {@code server} has nothing left on it, by the drain service's signal, or
     * {@code null} when there is none (then the removal's own rule, {@link #removable}, decides).
     */
    default Boolean drained(String pool, String server) {
      return null;
    }
  }

  /**
   * How long a drain before removal may take when neither the request nor {@code drain.deadline}
   * says.
   */
  public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(10);

  /** Why a change is refused, beyond bad input. */
  public enum Refusal {
    /** No such pool or server. */
    NOT_FOUND,
    /** The change clashes with the configuration (a name in use, the last server). */
    CONFLICT
  }

  /** A refused change, with a message for the operator. */
  public static final class RefusedException extends RuntimeException {
    private final Refusal refusal;

    RefusedException(Refusal refusal, String message) {
      super(message);
      this.refusal = refusal;
    }

    public Refusal refusal() {
      return refusal;
    }
  }

  /** A removal: done, or pending until {@code deadline}. */
  public record Removal(
      String pool, String server, boolean removed, Instant since, Instant deadline) {}

  private final Target target;
  private final Clock clock;
  private final Scheduler scheduler;
  private TetherConfig file;
  private TetherConfig effective;
  private RuntimeOverlay overlay = RuntimeOverlay.EMPTY;
  private final Map<String, Removal> pending = new LinkedHashMap<>();
  private Runnable check;
  private boolean closed;

  /**
   * @param file the configuration the balancer started with (already installed)
   * @param scheduler runs the removal checks (timer threads only: the check hops to a virtual
   *     thread)
   */
  public RuntimeChanges(TetherConfig file, Target target, Clock clock, Scheduler scheduler) {
    this.file = requireNonNull(file, "file");
    this.effective = file;
    this.target = requireNonNull(target, "target");
    this.clock = requireNonNull(clock, "clock");
    this.scheduler = requireNonNull(scheduler, "scheduler");
  }

  /** The configuration in force: the file plus the runtime changes. */
  public synchronized TetherConfig effective() {
    return effective;
  }

  /** The runtime changes in force. */
  public synchronized RuntimeOverlay overlay() {
    return overlay;
  }

  /** The removals waiting for their server to drain, by {@code pool/server}. */
  public synchronized Map<String, Removal> pending() {
    return Map.copyOf(pending);
  }

  /** The effective configuration as YAML for {@code GET /api/config}. */
  public synchronized String yaml() {
    return ConfigYaml.render(file, overlay, pending.values(), clock.instant());
  }

  /**
   * Installs a newly loaded file with the runtime changes it does not contradict (see {@link
   * RuntimeOverlay}); what it overrides is logged.
   *
   * @throws IllegalArgumentException when the result cannot be installed (the old one stays)
   */
  public synchronized void reload(TetherConfig next) {
    requireNonNull(next, "next");
    RuntimeOverlay.Rebased r = overlay.rebase(next);
    TetherConfig e = r.overlay().apply(next);
    target.install(e);
    r.dropped().forEach(d -> log.info("reload: {}", d));
    this.file = next;
    this.overlay = r.overlay();
    this.effective = e;
  }

  /**
   * Adds {@code server} to {@code pool}: it takes traffic from the next request on.
   *
   * @throws RefusedException NOT_FOUND for an unknown pool, CONFLICT when its name, address or
   *     route is taken in the pool
   */
  public synchronized void add(String pool, ServerConfig server) {
    PoolConfig pc = poolConfig(pool);
    String address = server.address().toString().toLowerCase(Locale.ROOT);
    for (ServerConfig s : pc.servers()) {
      if (s.name().equals(server.name())) {
        throw new RefusedException(
            Refusal.CONFLICT,
            "pool " + pool + " already has a server named '" + server.name() + "'");
      }
      if (s.address().toString().toLowerCase(Locale.ROOT).equals(address)) {
        throw new RefusedException(
            Refusal.CONFLICT,
            "pool " + pool + ": server " + s.name() + " already has address " + server.address());
      }
      if (s.route().equals(server.route())) {
        throw new RefusedException(
            Refusal.CONFLICT,
            "pool "
                + pool
                + ": server "
                + s.name()
                + " already uses route '"
                + server.route()
                + "'");
      }
    }
    change(overlay.add(pool, server, clock.instant()));
    log.info(
        "admin: pool {}: server {} at {} added with weight {}",
        pool,
        server.name(),
        server.address(),
        server.weight());
  }

  /**
   * Sets the weight of {@code server} in {@code pool}.
   *
   * @return the previous weight
   * @throws RefusedException NOT_FOUND for an unknown pool or server
   */
  public synchronized int weight(String pool, String server, int weight) {
    ServerConfig s = serverConfig(pool, server);
    change(overlay.weight(pool, server, fileServer(pool, server), weight, clock.instant()));
    log.info("admin: pool {}: server {} weight {} -> {}", pool, server, s.weight(), weight);
    return s.weight();
  }

  /**
   * Removes {@code server} from {@code pool}: at once when {@code now}, else after it drained or at
   * {@code deadline} from now ({@code null}: the pool's {@code drain.deadline}, else {@link
   * #DEFAULT_DEADLINE}). Asking again for a pending removal moves its deadline.
   *
   * @throws RefusedException NOT_FOUND for an unknown pool or server, CONFLICT for the pool's last
   *     server
   */
  public synchronized Removal remove(String pool, String server, boolean now, Duration deadline) {
    serverConfig(pool, server);
    PoolConfig pc = poolConfig(pool);
    if (pc.servers().size() == 1) {
      throw new RefusedException(
          Refusal.CONFLICT,
          "server "
              + server
              + " is the last of pool "
              + pool
              + "; a pool needs at least one, so add another first");
    }
    String key = pool + "/" + server;
    Instant at = clock.instant();
    if (now) {
      pending.remove(key);
      removeNow(pool, server, at);
      return new Removal(pool, server, true, at, at);
    }
    Duration d =
        deadline != null
            ? deadline
            : pc.drain().deadline() != null ? pc.drain().deadline() : DEFAULT_DEADLINE;
    Removal before = pending.get(key);
    Removal r = new Removal(pool, server, false, before == null ? at : before.since(), at.plus(d));
    pending.put(key, r);
    target.drain(pool, server, d);
    log.info(
        "admin: pool {}: server {} draining, removed when idle or at {}",
        pool,
        server,
        r.deadline());
    scheduleCheck();
    return r;
  }

  /** Stops the removal checks; pending removals stay undone. */
  @Override
  public synchronized void close() {
    closed = true;
    if (check != null) {
      check.run();
      check = null;
    }
  }

  /**
   * Whether {@code m} may go now: nothing in flight and no live affinity session bound to it. The
   * drain-completion signal of the admin API counts more (tunnels); this is the removal's own rule.
   */
  static boolean removable(Member m, AffinityPolicy affinity) {
    if (m.load().inFlight() > 0) {
      return false;
    }
    return affinity == null
        || affinity.stats().sessions().sessions().getOrDefault(m.name(), 0L) == 0L;
  }

  /** Completes the pending removals that may complete; runs off the timer, on a virtual thread. */
  void sweep() {
    synchronized (this) {
      check = null;
      if (closed) {
        return;
      }
      Instant now = clock.instant();
      for (Removal r : new ArrayList<>(pending.values())) {
        Pool p = target.pool(r.pool());
        Member m = p == null ? null : p.snapshot().member(r.server());
        String key = r.pool() + "/" + r.server();
        if (m == null) {
          pending.remove(key);
        } else if (m.state() != ServerState.DRAINING) {
          pending.remove(key);
          log.info(
              "pool {}: removal of server {} called off: it is {} now",
              r.pool(),
              r.server(),
              m.state());
        } else if (drained(r, m) || !now.isBefore(r.deadline())) {
          pending.remove(key);
          try {
            removeNow(r.pool(), r.server(), now);
          } catch (RuntimeException e) {
            log.warn("pool {}: removing drained server {} failed", r.pool(), r.server(), e);
          }
        }
      }
      scheduleCheck();
    }
  }

  private boolean drained(Removal r, Member m) {
    Boolean done = target.drained(r.pool(), r.server());
    return done != null ? done : removable(m, target.affinity(r.pool()));
  }

  private void scheduleCheck() {
    if (check == null && !pending.isEmpty() && !closed) {
      check =
          scheduler.schedule(
              () -> Thread.startVirtualThread(this::sweep), Duration.ofMillis(CHECK_MILLIS));
    }
  }

  private void removeNow(String pool, String server, Instant at) {
    change(overlay.remove(pool, server, fileServer(pool, server), at));
    log.info("admin: pool {}: server {} removed", pool, server);
  }

  private void change(RuntimeOverlay next) {
    TetherConfig e = next.apply(file);
    target.install(e);
    this.overlay = next;
    this.effective = e;
  }

  private PoolConfig poolConfig(String pool) {
    PoolConfig pc = effective.pools().get(pool);
    if (pc == null || target.pool(pool) == null) {
      throw new RefusedException(
          Refusal.NOT_FOUND, "no pool '" + pool + "'; pools: " + effective.pools().keySet());
    }
    return pc;
  }

  private ServerConfig serverConfig(String pool, String server) {
    for (ServerConfig s : poolConfig(pool).servers()) {
      if (s.name().equals(server)) {
        return s;
      }
    }
    throw new RefusedException(
        Refusal.NOT_FOUND, "pool " + pool + " has no server '" + server + "'");
  }

  /** The file's definition of {@code server}, or {@code null} when it was added at run time. */
  private ServerConfig fileServer(String pool, String server) {
    if (overlay.changes(pool).added().containsKey(server)) {
      return null;
    }
    PoolConfig pc = file.pools().get(pool);
    return pc == null
        ? null
        : pc.servers().stream().filter(s -> s.name().equals(server)).findFirst().orElse(null);
  }

  /** For the listing: pending removals of {@code pool}. */
  public synchronized List<Removal> pending(String pool) {
    return pending.values().stream().filter(r -> r.pool().equals(pool)).toList();
  }
}
