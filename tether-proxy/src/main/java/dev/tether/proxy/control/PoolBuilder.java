package dev.tether.proxy.control;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.ConfiguredBalancer;
import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.affinity.AffinityPolicyFactory;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.ServerConfig;
import dev.tether.proxy.config.TetherConfig;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a configuration's pools (each from its {@code ConfiguredBalancer}) and affinity policies,
 * keeping across a reload every pool and policy whose settings did not change, with their state.
 */
final class PoolBuilder {

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  private final BalanceEnv env;
  private final AffinityPolicyFactory affinityFactory;

  PoolBuilder(BalanceEnv env, Clock clock) {
    this.env = env;
    this.affinityFactory = new AffinityPolicyFactory(clock, env);
  }

  /**
   * The pools of {@code c}; a kept pool whose servers change is changed only by the tasks added to
   * {@code serverChanges} (one new snapshot each), so the caller can publish addresses first.
   */
  Map<String, Pool> pools(
      TetherConfig c, Map<String, Pool> previous, List<Runnable> serverChanges) {
    Map<String, Pool> out = new LinkedHashMap<>();
    for (PoolConfig pc : c.pools().values()) {
      ConfiguredBalancer balancer = pc.balancer();
      List<Server> servers = new ArrayList<>();
      for (ServerConfig sc : pc.servers()) {
        servers.add(
            new Server(
                sc.name(), sc.address().host(), sc.address().port(), sc.weight(), sc.route()));
      }
      Pool old = previous.get(pc.name());
      if (old != null && old.balancer().equals(balancer)) { // same algorithm, same typed options
        List<Server> configured =
            old.snapshot().members().stream()
                .map(Member::server)
                .map(
                    m ->
                        new Server(
                            m.name(),
                            m.host(),
                            m.port(),
                            old.configuredWeight(m.name()),
                            m.route()))
                .toList();
        if (!configured.equals(
            servers)) { // compared before agent weight overrides, which the pool keeps
          serverChanges.add(() -> old.setServers(servers));
        }
        out.put(pc.name(), old);
      } else {
        out.put(pc.name(), new Pool(pc.name(), servers, balancer, env));
      }
    }
    return out;
  }

  /**
   * Policies per pool; a pool whose affinity section is unchanged keeps its policy (tables, counts,
   * keys).
   */
  Map<String, AffinityPolicy> affinities(
      TetherConfig c, TetherConfig previousConfig, Map<String, AffinityPolicy> previous) {
    Map<String, AffinityPolicy> out = new HashMap<>();
    for (PoolConfig pc : c.pools().values()) {
      PoolConfig before = previousConfig == null ? null : previousConfig.pools().get(pc.name());
      AffinityPolicy kept = previous.get(pc.name());
      if (kept != null && before != null && before.affinity().equals(pc.affinity())) {
        out.put(pc.name(), kept);
        continue;
      }
      AffinityPolicy p = affinityFactory.build(pc);
      if (p != null) {
        out.put(pc.name(), p);
      }
    }
    return out;
  }

  /** Server addresses of {@code pc} by name; unresolved ones are left out (and logged if asked). */
  static Map<String, InetSocketAddress> resolve(PoolConfig pc, boolean warn) {
    Map<String, InetSocketAddress> addrs = new HashMap<>();
    for (ServerConfig sc : pc.servers()) {
      InetSocketAddress a = new InetSocketAddress(sc.address().host(), sc.address().port());
      if (!a.isUnresolved()) {
        addrs.put(sc.name(), a);
      } else if (warn) {
        log.warn(
            "pool {}: server {} address {} does not resolve; it gets 502s until it does and the configuration is reloaded",
            pc.name(),
            sc.name(),
            sc.address());
      }
    }
    return addrs;
  }
}
