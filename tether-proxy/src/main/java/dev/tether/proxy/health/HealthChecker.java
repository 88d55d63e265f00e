package dev.tether.proxy.health;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.ServerState;
import dev.tether.proxy.config.HealthConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one pool: every {@code interval} each server is probed once, on a
 * virtual thread so a slow server delays nobody else; {@code fall} failures in a row mark it
 * {@link ServerState#DOWN}, {@code rise} passes in a row mark it {@link ServerState#UP} again
 * (HAProxy's {@code check inter/rise/fall}). A down server gets no requests, sticky ones included;
 * affinity moves its sessions to another server.
 *
 * <p>Design: the next probe of a server is scheduled when the previous one has finished (fixed
 * delay), so probes of one server never overlap, and the first probes are spread over one interval
 * at random so a large pool is not probed in one burst. The checker only moves a server between
 * {@code UP} and {@code DOWN}: a server an operator set {@code DRAINING} or {@code DISABLED} keeps
 * that state, and its probes are still counted so its health is known when it is enabled. A server
 * starts as the pool has it (up at start-up, as HAProxy does).
 *
 * <p>Thread-safe; {@link #close()} stops further probes (one under way finishes and is ignored).
 */
public final class HealthChecker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  private final Pool pool;
  private final HealthConfig config;
  private final HealthProbe probe;
  private final ScheduledExecutorService scheduler;
  private final List<Target> targets = new ArrayList<>();
  private volatile boolean closed;
  private volatile ProbeListener probeListener = (server, passed) -> {};

  /** Told of every probe's outcome, e.g. so that outlier detection returns an ejected server that passes. */
  @FunctionalInterface
  public interface ProbeListener {
    /** {@code server}'s probe just passed or failed; called on the probe's thread, keep it short. */
    void probed(String server, boolean passed);
  }

  /** Sets the one listener of probe outcomes (replacing any earlier one). */
  public void onProbe(ProbeListener listener) {
    probeListener = requireNonNull(listener, "listener");
  }

  /** One server under check. */
  private final class Target {
    final String server;
    final InetSocketAddress address;
    final ServerHealth health;
    volatile ScheduledFuture<?> next;

    Target(String server, InetSocketAddress address, boolean up) {
      this.server = server;
      this.address = address;
      this.health = new ServerHealth(up, config.rise(), config.fall());
    }

    void schedule(long delayNanos) {
      if (!closed) {
        next = scheduler.schedule(() -> Thread.ofVirtual().name("tether-health-" + pool.name() + "-" + server).start(this::run),
            delayNanos, TimeUnit.NANOSECONDS);
      }
    }

    private void run() {
      try {
        HealthProbe.Result r = probe.probe(address, config.timeout());
        if (!closed) {
          apply(this, r);
        }
      } catch (RuntimeException e) {
        log.error("pool {}: health check of server {} failed unexpectedly", pool.name(), server, e);
      } finally {
        schedule(config.interval().toNanos());
      }
    }
  }

  private HealthChecker(Pool pool, HealthConfig config, HealthProbe probe, ScheduledExecutorService scheduler) {
    this.pool = pool;
    this.config = config;
    this.probe = probe;
    this.scheduler = scheduler;
  }

  /**
   * Starts checking every server of {@code pool}.
   *
   * @param addresses where each server listens, by server name; an unresolved address fails its
   *     probes
   * @param scheduler runs the timers only (probes run on virtual threads); not shut down here
   * @param random spreads the first probes over one interval
   */
  public static HealthChecker start(Pool pool, Map<String, InetSocketAddress> addresses, HealthConfig config,
      HealthProbe probe, ScheduledExecutorService scheduler, RandomGenerator random) {
    return start(pool, addresses, config, probe, scheduler, random, Map.of());
  }

  /**
   * As {@link #start(Pool, Map, HealthConfig, HealthProbe, ScheduledExecutorService,
   * RandomGenerator)}, continuing from what an earlier checker of the pool knew (a reload): a
   * server in {@code known} starts with that health, and one known to be unhealthy that the pool
   * has {@code UP} (a rebuilt pool) is marked {@code DOWN} at once instead of getting requests until
   * it fails {@code fall} probes again.
   *
   * @param known health by server name, from {@link #health()} of the checker this one replaces
   */
  public static HealthChecker start(Pool pool, Map<String, InetSocketAddress> addresses, HealthConfig config,
      HealthProbe probe, ScheduledExecutorService scheduler, RandomGenerator random, Map<String, Boolean> known) {
    requireNonNull(known, "known");
    requireNonNull(pool, "pool");
    requireNonNull(addresses, "addresses");
    requireNonNull(config, "config");
    requireNonNull(probe, "probe");
    requireNonNull(scheduler, "scheduler");
    requireNonNull(random, "random");
    HealthChecker checker = new HealthChecker(pool, config, probe, scheduler);
    for (Member m : pool.snapshot().members()) {
      InetSocketAddress a = addresses.get(m.name());
      if (a == null) {
        a = InetSocketAddress.createUnresolved(m.server().host(), m.server().port());
      }
      Boolean was = known.get(m.name());
      boolean up = was != null ? was : m.state() != ServerState.DOWN;
      checker.targets.add(checker.new Target(m.name(), a, up));
      if (!up) {
        synchronized (pool) {
          if (pool.snapshot().member(m.name()).state() == ServerState.UP) {
            pool.setState(m.name(), ServerState.DOWN);
            log.warn("pool {}: server {} stays DOWN across the reload: it failed its health checks", pool.name(), m.name());
          }
        }
      }
    }
    long interval = config.interval().toNanos();
    for (Target t : checker.targets) {
      t.schedule(random.nextLong(interval));
    }
    return checker;
  }

  private void apply(Target t, HealthProbe.Result r) {
    probeListener.probed(t.server, r.passed());
    ServerHealth.Change change;
    synchronized (t.health) {
      change = t.health.record(r.passed());
    }
    ServerState to = switch (change) {
      case NONE -> null;
      case WENT_DOWN -> ServerState.DOWN;
      case WENT_UP -> ServerState.UP;
    };
    if (to == null) {
      log.debug("pool {}: server {} health check {}: {}", pool.name(), t.server, r.passed() ? "passed" : "failed", r.detail());
      return;
    }
    ServerState from = to == ServerState.DOWN ? ServerState.UP : ServerState.DOWN;
    try {
      synchronized (pool) {
        Member m = pool.snapshot().member(t.server);
        if (m == null || m.state() != from) {
          log.info("pool {}: server {} is {} by its health checks ({}) but stays {}", pool.name(), t.server,
              to == ServerState.DOWN ? "unhealthy" : "healthy", r.detail(), m == null ? "removed" : m.state());
          return;
        }
        pool.setState(t.server, to);
      }
    } catch (NoSuchElementException e) {
      return;
    }
    if (to == ServerState.DOWN) {
      log.warn("pool {}: server {} is DOWN after {} failed health checks (last: {})", pool.name(), t.server,
          config.fall(), r.detail());
    } else {
      log.info("pool {}: server {} is UP after {} passed health checks ({})", pool.name(), t.server, config.rise(),
          r.detail());
    }
  }

  /**
   * Whether the checks currently count {@code server} as healthy.
   *
   * @throws NoSuchElementException when the server is not checked here
   */
  public boolean healthy(String server) {
    for (Target t : targets) {
      if (t.server.equals(server)) {
        synchronized (t.health) {
          return t.health.up();
        }
      }
    }
    throw new NoSuchElementException("pool " + pool.name() + " checks no server " + server);
  }

  /** The current health of every checked server, by name. */
  public Map<String, Boolean> health() {
    Map<String, Boolean> out = new java.util.LinkedHashMap<>();
    for (Target t : targets) {
      synchronized (t.health) {
        out.put(t.server, t.health.up());
      }
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    for (Target t : targets) {
      ScheduledFuture<?> f = t.next;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
