package dev.tether.balance;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The control-plane side of one pool: the configured servers, their states and load counters, and
 * the algorithm. Every change builds a new {@link PoolSnapshot} (picker included) and publishes it
 * with one volatile write; readers never lock (STYLE habit 2, grpc-java {@code LoadBalancer}).
 *
 * <p>Mutators are {@code synchronized} among themselves (the control plane is not hot); {@link
 * #snapshot()} is a plain volatile read.
 *
 * <p>Panic mode (Envoy's panic threshold): when fewer than {@link #setPanicThreshold the threshold}
 * percent of the servers in rotation (neither {@code DRAINING} nor {@code DISABLED}) are healthy
 * ({@code UP} and not ejected), every snapshot member is marked {@link Member#panic()} and pickers
 * balance over all servers in rotation, health ignored, rather than pile the whole load on the few
 * healthy ones. Operator states still hold in panic.
 *
 * <p>A {@link WeightOverride} (a server's own request, from its health responses) changes the
 * weight the snapshot balances with; the configured weight is kept beside it.
 */
public final class Pool {

  private final String name;
  private final ConfiguredBalancer balancer;
  private final BalanceEnv env;

  // Guarded by this; survive rebuilds so counts and slow-start clocks persist.
  private final Map<String, ServerLoad> loads = new HashMap<>();
  private final Map<String, ServerState> states = new HashMap<>();
  private final Map<String, Long> upSince = new HashMap<>();
  private final Map<String, Ejection> ejections = new HashMap<>();
  private final Map<String, WeightOverride> weightOverrides = new HashMap<>();
  private int panicThreshold;
  private Consumer<PoolSnapshot> panicListener;
  private final ServerLoad.Group group;
  private List<Server> servers;

  private volatile PoolSnapshot snapshot;

  /**
   * A pool balanced by {@code balancer}, an algorithm whose options were read once when the
   * configuration was loaded; every rebuild builds its picker from it.
   */
  public Pool(String name, List<Server> servers, ConfiguredBalancer balancer, BalanceEnv env) {
    this.name = requireNonNull(name, "name");
    this.balancer = requireNonNull(balancer, "balancer");
    this.env = requireNonNull(env, "env");
    // Room for the pool to double before a least-connections scan needs a second counter slab.
    this.group = new ServerLoad.Group(2 * requireNonNull(servers, "servers").size());
    synchronized (this) {
      // Servers present at start-up have been up "forever": slow start ramps only servers that
      // come up or are added later, as HAProxy does.
      for (Server s : requireNonNull(servers, "servers")) {
        upSince.put(s.name(), Member.UP_FROM_START);
      }
      setServers(servers);
    }
  }

  /**
   * A pool balanced by {@code algorithm} with {@code options}, read here.
   *
   * @throws IllegalArgumentException when the algorithm refuses the options
   */
  public Pool(
      String name,
      List<Server> servers,
      BalancerProvider algorithm,
      Map<String, String> options,
      BalanceEnv env) {
    this(
        name,
        servers,
        requireNonNull(algorithm, "algorithm").configure(options).orElseThrow("pool " + name),
        env);
  }

  public String name() {
    return name;
  }

  public BalancerProvider algorithm() {
    return balancer.provider();
  }

  /** The algorithm with its options, as configured. */
  public ConfiguredBalancer balancer() {
    return balancer;
  }

  /** The current snapshot; load it once per request. */
  public PoolSnapshot snapshot() {
    return snapshot;
  }

  /**
   * Replaces the server list (hot reload, scale-out). Servers that keep their name keep their state
   * and load counters; new servers start UP with their slow-start clock at now (servers given to
   * the constructor do not ramp).
   */
  public synchronized void setServers(List<Server> newServers) {
    Map<String, Server> unique = new LinkedHashMap<>();
    for (Server s : newServers) {
      if (unique.put(s.name(), s) != null) {
        throw new IllegalArgumentException("pool " + name + " lists server " + s.name() + " twice");
      }
    }
    long now = env.ticker().getAsLong();
    loads.keySet().retainAll(unique.keySet());
    states.keySet().retainAll(unique.keySet());
    upSince.keySet().retainAll(unique.keySet());
    ejections.keySet().retainAll(unique.keySet());
    weightOverrides.keySet().retainAll(unique.keySet());
    for (String n : unique.keySet()) {
      loads.computeIfAbsent(n, k -> new ServerLoad(group));
      states.putIfAbsent(n, ServerState.UP);
      upSince.putIfAbsent(n, now);
    }
    this.servers = List.copyOf(unique.values());
    rebuild();
  }

  /**
   * Sets a server's state. A server going from not-UP to UP restarts its slow-start clock.
   *
   * @return the previous state
   * @throws NoSuchElementException when the pool has no server called {@code server}
   */
  public synchronized ServerState setState(String server, ServerState state) {
    requireNonNull(state, "state");
    ServerState previous = states.get(server);
    if (previous == null) {
      throw new NoSuchElementException("pool " + name + " has no server " + server);
    }
    if (previous != state) {
      states.put(server, state);
      if (state == ServerState.UP) {
        upSince.put(server, env.ticker().getAsLong());
      }
      rebuild();
    }
    return previous;
  }

  /**
   * Ejects {@code server} (outlier detection) or replaces its ejection; the next snapshot shows it.
   *
   * @throws NoSuchElementException when the pool has no server called {@code server}
   */
  public synchronized void eject(String server, Ejection ejection) {
    requireNonNull(ejection, "ejection");
    if (!states.containsKey(server)) {
      throw new NoSuchElementException("pool " + name + " has no server " + server);
    }
    ejections.put(server, ejection);
    rebuild();
  }

  /**
   * Ends the ejection of {@code server}, if any.
   *
   * @return the ejection that ended, or {@code null} when the server was not ejected (or is gone)
   */
  public synchronized Ejection restore(String server) {
    Ejection e = ejections.remove(server);
    if (e != null) {
      rebuild();
    }
    return e;
  }

  /**
   * Sets or clears ({@code null}) the weight override of {@code server} (its health responses'
   * {@code Tether-Weight}); snapshots then carry the server with the overridden weight, while
   * {@link #configuredWeight} keeps the configured one.
   *
   * @return whether anything changed
   * @throws NoSuchElementException when the pool has no server called {@code server}
   */
  public synchronized boolean setWeightOverride(String server, WeightOverride override) {
    if (!states.containsKey(server)) {
      throw new NoSuchElementException("pool " + name + " has no server " + server);
    }
    WeightOverride before =
        override == null ? weightOverrides.remove(server) : weightOverrides.put(server, override);
    if (Objects.equals(before, override)) {
      return false;
    }
    rebuild();
    return true;
  }

  /** The weight override of {@code server}, or {@code null} when it has none (or is gone). */
  public synchronized WeightOverride weightOverride(String server) {
    return weightOverrides.get(server);
  }

  /**
   * The configured weight of {@code server} (before any override), or -1 when the pool has no such
   * server.
   */
  public synchronized int configuredWeight(String server) {
    for (Server s : servers) {
      if (s.name().equals(server)) {
        return s.weight();
      }
    }
    return -1;
  }

  /**
   * Sets the panic threshold: the pool is in panic while fewer than {@code percent} of its servers
   * in rotation are healthy; 0 (the default) turns panic mode off.
   */
  public synchronized void setPanicThreshold(int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("panic threshold " + percent + "% is outside 0..100%");
    }
    if (percent != panicThreshold) {
      panicThreshold = percent;
      rebuild();
    }
  }

  /** The panic threshold in percent; 0 when panic mode is off. */
  public synchronized int panicThreshold() {
    return panicThreshold;
  }

  /**
   * Sets the one listener told of every snapshot that enters or leaves panic mode (called with the
   * pool's lock held, on the thread that changed the pool: keep it short); {@code null} for none.
   */
  public synchronized void onPanicChange(Consumer<PoolSnapshot> listener) {
    panicListener = listener;
  }

  /**
   * Rebuilds the picker with the same members. Not needed for slow start (pickers compute ramping
   * weights per pick from the ticker); kept for callers that want a fresh picker.
   */
  public synchronized void refresh() {
    rebuild();
  }

  private void rebuild() {
    boolean panic = panic();
    List<Member> members = new ArrayList<>(servers.size());
    Map<String, Member> byName = new HashMap<>();
    for (Server configured : servers) {
      WeightOverride w = weightOverrides.get(configured.name());
      Server s =
          w == null
              ? configured
              : new Server(
                  configured.name(),
                  configured.host(),
                  configured.port(),
                  w.apply(configured.weight()),
                  configured.route());
      Member m =
          new Member(
              s,
              states.get(s.name()),
              loads.get(s.name()),
              upSince.get(s.name()),
              ejections.get(s.name()),
              panic);
      members.add(m);
      byName.put(s.name(), m);
    }
    Picker picker = balancer.newPicker(List.copyOf(members), env);
    PoolSnapshot before = snapshot;
    snapshot = new PoolSnapshot(name, members, byName, picker, panic);
    if (panicListener != null && before != null && before.panic() != panic) {
      panicListener.accept(snapshot);
    }
  }

  /** Whether fewer than the threshold's share of the servers in rotation are healthy. */
  private boolean panic() {
    if (panicThreshold == 0) {
      return false;
    }
    int inRotation = 0;
    int healthy = 0;
    for (Server s : servers) {
      ServerState st = states.get(s.name());
      if (st == ServerState.UP || st == ServerState.DOWN) {
        inRotation++;
        if (st == ServerState.UP && !ejections.containsKey(s.name())) {
          healthy++;
        }
      }
    }
    // healthy / inRotation < threshold / 100, in integers
    return inRotation > 0 && healthy * 100L < (long) panicThreshold * inRotation;
  }
}
