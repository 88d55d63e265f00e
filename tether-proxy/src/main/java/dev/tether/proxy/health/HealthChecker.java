package dev.tether.proxy.health;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.ServerState;
import dev.tether.balance.WeightOverride;
import dev.tether.proxy.config.HealthConfig;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one pool: every {@code interval} each server is probed once, on a virtual
 * thread so a slow server delays nobody else and no event loop ever waits; {@code fall} failures in
 * a row mark it {@link ServerState#DOWN}, {@code rise} passes in a row mark it {@link
 * ServerState#UP} again (HAProxy's {@code check inter/rise/fall}). A down server gets no requests,
 * sticky ones included; affinity moves its sessions to another server.
 *
 * <p>An HTTP check's response may carry agent headers (HAProxy's agent check): {@code Tether-State:
 * drain} makes the server {@code DRAINING}, {@code down} makes it {@code DOWN}, {@code ready}
 * returns it to {@code UP}; {@code Tether-Weight} overrides its weight (see {@link
 * Pool#setWeightOverride}). {@link CheckState} holds the precedence between operator, health and
 * agent; in short, an operator's {@code DRAINING} or {@code DISABLED} is never changed by the
 * checks, and {@link #operatorSet} records an operator's action so that it wins over the agent
 * answer in force.
 *
 * <p>Design: the next probe of a server is scheduled when the previous one has finished (fixed
 * delay), so probes of one server never overlap, and the first probes are spread over one interval
 * at random so a large pool is not probed in one burst. A server starts as the pool has it (up at
 * start-up, as HAProxy does). Lock order: the pool, then a server's {@link CheckState}.
 *
 * <p>Thread-safe; {@link #close()} stops further probes (one under way finishes and is ignored).
 */
public final class HealthChecker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  private final Pool pool;
  private final HealthConfig config;
  private final HealthProbe probe;
  private final ScheduledExecutorService scheduler;
  private final Map<String, Target> targets = new LinkedHashMap<>();
  private volatile boolean closed;
  private volatile ProbeListener probeListener = (server, passed) -> {};

  /**
   * Told of every probe's outcome, e.g. so that outlier detection returns an ejected server that
   * passes.
   */
  @FunctionalInterface
  public interface ProbeListener {
    /**
     * {@code server}'s probe just passed or failed; called on the probe's thread, keep it short.
     */
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
    final CheckState state;
    volatile ScheduledFuture<?> next;

    Target(String server, InetSocketAddress address, CheckState state) {
      this.server = server;
      this.address = address;
      this.state = state;
    }

    void schedule(long delayNanos) {
      if (!closed) {
        next =
            scheduler.schedule(
                () ->
                    Thread.ofVirtual()
                        .name("tether-health-" + pool.name() + "-" + server)
                        .start(this::run),
                delayNanos,
                TimeUnit.NANOSECONDS);
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

  private HealthChecker(
      Pool pool, HealthConfig config, HealthProbe probe, ScheduledExecutorService scheduler) {
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
  public static HealthChecker start(
      Pool pool,
      Map<String, InetSocketAddress> addresses,
      HealthConfig config,
      HealthProbe probe,
      ScheduledExecutorService scheduler,
      RandomGenerator random) {
    return start(pool, addresses, config, probe, scheduler, random, (HealthChecker) null);
  }

  /**
   * As {@link #start(Pool, Map, HealthConfig, HealthProbe, ScheduledExecutorService,
   * RandomGenerator)}, continuing from what an earlier checker of the pool knew (a reload): a
   * server in {@code known} starts with that health, and one known to be unhealthy that the pool
   * has {@code UP} (a rebuilt pool) is marked {@code DOWN} at once instead of getting requests
   * until it fails {@code fall} probes again.
   *
   * @param known health by server name, from {@link #health()} of the checker this one replaces
   */
  public static HealthChecker start(
      Pool pool,
      Map<String, InetSocketAddress> addresses,
      HealthConfig config,
      HealthProbe probe,
      ScheduledExecutorService scheduler,
      RandomGenerator random,
      Map<String, Boolean> known) {
    requireNonNull(known, "known");
    return start(
        pool,
        addresses,
        config,
        probe,
        scheduler,
        random,
        name -> {
          Boolean up = known.get(name);
          return up == null ? null : new CheckState(up, config.rise(), config.fall());
        });
  }

  /**
   * As {@link #start(Pool, Map, HealthConfig, HealthProbe, ScheduledExecutorService,
   * RandomGenerator)}, continuing from everything the {@code previous} checker of the pool knew
   * (health, agent state and weight, which drain is its own), or from nothing when it is {@code
   * null}. What the previous checker knew is applied to the pool at once (a rebuilt pool starts
   * every server UP). When this checker reads no agent headers (TCP, or {@code agent: false}), the
   * previous agent requests are undone.
   */
  public static HealthChecker start(
      Pool pool,
      Map<String, InetSocketAddress> addresses,
      HealthConfig config,
      HealthProbe probe,
      ScheduledExecutorService scheduler,
      RandomGenerator random,
      HealthChecker previous) {
    boolean agentHeaders = config.kind() == HealthConfig.Kind.HTTP && config.agent();
    return start(
        pool,
        addresses,
        config,
        probe,
        scheduler,
        random,
        name -> {
          Target before = previous == null ? null : previous.targets.get(name);
          if (before == null) {
            return null;
          }
          synchronized (before.state) {
            return CheckState.continuing(before.state, config.rise(), config.fall(), agentHeaders);
          }
        });
  }

  private static HealthChecker start(
      Pool pool,
      Map<String, InetSocketAddress> addresses,
      HealthConfig config,
      HealthProbe probe,
      ScheduledExecutorService scheduler,
      RandomGenerator random,
      Function<String, CheckState> known) {
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
      CheckState was = known.apply(m.name());
      CheckState state =
          was != null
              ? was
              : new CheckState(m.state() != ServerState.DOWN, config.rise(), config.fall());
      checker.targets.put(m.name(), checker.new Target(m.name(), a, state));
      if (was != null) {
        checker.restore(m.name(), state);
      }
    }
    long interval = config.interval().toNanos();
    for (Target t : checker.targets.values()) {
      t.schedule(random.nextLong(interval));
    }
    return checker;
  }

  /** Applies what a continued state knows to the (possibly rebuilt) pool. */
  private void restore(String server, CheckState state) {
    synchronized (pool) {
      Member m = pool.snapshot().member(server);
      if (m == null) {
        return;
      }
      synchronized (state) {
        ServerState to = state.target(m.state());
        if (to != null) {
          pool.setState(server, to);
          state.applied(to);
          log.warn(
              "pool {}: server {} is {} across the reload: {}",
              pool.name(),
              server,
              to,
              !state.up()
                  ? "it failed its health checks"
                  : "its health responses asked for " + state.agent().wire());
        }
        pool.setWeightOverride(server, state.weight());
      }
    }
  }

  /**
   * Applies one probe result of {@code server} as if its probe had just returned it; the timer's
   * probes call the same code. For tests that drive the checker without sockets or time.
   */
  void probed(String server, HealthProbe.Result r) {
    Target t = targets.get(server);
    if (t == null) {
      throw new NoSuchElementException("pool " + pool.name() + " checks no server " + server);
    }
    apply(t, r);
  }

  private void apply(Target t, HealthProbe.Result r) {
    probeListener.probed(t.server, r.passed());
    CheckState.Step step;
    ServerState from;
    WeightOverride weight;
    synchronized (pool) {
      Member m = pool.snapshot().member(t.server);
      synchronized (t.state) {
        step = t.state.record(r, m == null ? ServerState.DISABLED : m.state());
        weight = t.state.weight();
        if (m == null) {
          return;
        }
        from = m.state();
        try {
          if (step.target() != null) {
            pool.setState(t.server, step.target());
            t.state.applied(step.target());
          }
          if (step.weightChanged()) {
            pool.setWeightOverride(t.server, weight);
          }
        } catch (NoSuchElementException e) {
          return;
        }
      }
    }
    ProbeLog.outcome(pool, config, t.server, r, step, from, weight);
  }

  /**
   * Sets {@code server}'s state on an operator's behalf (the admin API), recording that the
   * operator decided: a {@code DRAINING} set here is never undone by the agent's {@code ready}, and
   * the agent answer in force is set aside until it changes.
   *
   * @return the previous state
   * @throws NoSuchElementException when the pool has no such server
   */
  public ServerState operatorSet(String server, ServerState state) {
    synchronized (pool) {
      ServerState from = pool.setState(server, state);
      Target t = targets.get(server);
      if (t != null) {
        synchronized (t.state) {
          t.state.operatorSet();
        }
      }
      return from;
    }
  }

  /**
   * Undoes the agent's requests on {@code pool} (its drain and weights) when its checks go away on
   * a reload; call after {@link #close()}.
   */
  public void releaseAgent() {
    synchronized (pool) {
      for (Target t : targets.values()) {
        Member m = pool.snapshot().member(t.server);
        if (m == null) {
          continue;
        }
        synchronized (t.state) {
          if (t.state.ownsDrain() && m.state() == ServerState.DRAINING) {
            pool.setState(t.server, ServerState.UP);
            log.info(
                "pool {}: server {} leaves the DRAINING its health responses asked for: the pool has no health checks now",
                pool.name(),
                t.server);
          }
        }
        pool.setWeightOverride(t.server, null);
      }
    }
  }

  /**
   * Whether the checks currently count {@code server} as healthy.
   *
   * @throws NoSuchElementException when the server is not checked here
   */
  public boolean healthy(String server) {
    Target t = targets.get(server);
    if (t == null) {
      throw new NoSuchElementException("pool " + pool.name() + " checks no server " + server);
    }
    synchronized (t.state) {
      return t.state.up();
    }
  }

  /** The current health of every checked server, by name. */
  public Map<String, Boolean> health() {
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (Target t : targets.values()) {
      synchronized (t.state) {
        out.put(t.server, t.state.up());
      }
    }
    return out;
  }

  /** Whether these checks read agent headers ({@code kind: http} with {@code agent} on). */
  public boolean readsAgent() {
    return config.kind() == HealthConfig.Kind.HTTP && config.agent();
  }

  /**
   * What {@code server}'s health responses asked for, as the admin API shows it, or {@code null}
   * when these checks read no agent headers or do not check that server:
   *
   * <pre>{@code
   * {"state": "drain", "weight": "50%", "configuredWeight": 4, "setAside": false, "ignored": null}
   * }</pre>
   *
   * {@code weight} is the requested override ({@code null}: none); {@code setAside} says an
   * operator's later action overrides the {@code state}; {@code ignored} describes a bad header
   * value in the last response.
   */
  public Map<String, Object> agentJson(String server) {
    Target t = targets.get(server);
    if (t == null || !readsAgent()) {
      return null;
    }
    int configured = pool.configuredWeight(server);
    Map<String, Object> out = new LinkedHashMap<>();
    synchronized (t.state) {
      out.put("state", t.state.agent().wire());
      out.put("weight", t.state.weight() == null ? null : t.state.weight().toString());
      out.put("configuredWeight", configured);
      out.put("setAside", t.state.agentSetAside());
      out.put("ignored", t.state.ignored());
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    for (Target t : targets.values()) {
      ScheduledFuture<?> f = t.next;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
