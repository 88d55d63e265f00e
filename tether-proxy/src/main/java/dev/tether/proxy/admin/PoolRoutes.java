package dev.tether.proxy.admin;

import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.admin.ServerRoutes.Answer;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.health.HealthChecker;
import dev.tether.proxy.outlier.OutlierJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's views of the pools and their servers, and the operator's state changes:
 *
 * <pre>
 * GET  /api/pools                                      pools with their algorithm, affinity and counts
 * GET  /api/pools/{pool}/servers                       servers: address, weight, state, health, agent, load
 * POST /api/pools/{pool}/servers/{server}/enable       back to UP (DOWN while its health checks fail)
 * POST /api/pools/{pool}/servers/{server}/disable      take nothing
 * POST /api/pools/{pool}/servers/{server}/drain        (the plain state change; DrainRoutes answers it first)
 * </pre>
 *
 * <p>A state change answers with the server's view after it; an unknown pool, server or action is
 * 404, another method than the one allowed 405 with {@code Allow}.
 */
final class PoolRoutes {

  private static final Logger log = LoggerFactory.getLogger(PoolRoutes.class);

  private PoolRoutes() {}

  /** {@code /api/pools/{pool}/servers}, split at its slashes. */
  static boolean isServers(String[] p) {
    return p.length == 4 && p[0].equals("api") && p[1].equals("pools") && p[3].equals("servers");
  }

  /** {@code /api/pools/{pool}/servers/{server}/{action}}, split at its slashes. */
  static boolean isServerAction(String[] p) {
    return p.length == 6 && p[0].equals("api") && p[1].equals("pools") && p[3].equals("servers");
  }

  /** {@code GET /api/pools}. */
  static Answer pools(String method, AdminServer.Control control) {
    if (!method.equals("GET")) {
      return notAllowed(method, "GET");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (PoolConfig pc : control.config().pools().values()) {
      Pool pool = control.pool(pc.name());
      if (pool == null) {
        continue;
      }
      long up = pool.snapshot().members().stream().filter(m -> m.state() == ServerState.UP).count();
      AffinityPolicy affinity = control.affinity(pc.name());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", pc.name());
      m.put("algorithm", pool.algorithm().name());
      m.put("affinity", affinity == null ? "none" : affinity.mode());
      m.put("healthChecks", control.healthChecker(pc.name()) != null);
      m.put("servers", pool.snapshot().members().size());
      m.put("up", up);
      m.put(
          "inFlight", pool.snapshot().members().stream().mapToLong(x -> x.load().inFlight()).sum());
      m.put("panic", pool.snapshot().panic());
      m.put("ejected", pool.snapshot().ejectedCount());
      out.add(m);
    }
    return Answer.of(200, Map.of("pools", out));
  }

  /** {@code GET /api/pools/{pool}/servers}. */
  static Answer servers(String method, String poolName, AdminServer.Control control) {
    if (!method.equals("GET")) {
      return notAllowed(method, "GET");
    }
    Pool pool = control.pool(poolName);
    if (pool == null) {
      return noPool(poolName, control);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Member m : pool.snapshot().members()) {
      out.add(server(control, pool, m));
    }
    return Answer.of(200, Map.of("pool", pool.name(), "servers", out));
  }

  /** {@code POST /api/pools/{pool}/servers/{server}/drain|enable|disable}. */
  static Answer setState(
      String method, String poolName, String server, String action, AdminServer.Control control) {
    if (!method.equals("POST")) {
      return notAllowed(method, "POST");
    }
    Pool pool = control.pool(poolName);
    if (pool == null) {
      return noPool(poolName, control);
    }
    Member member = pool.snapshot().member(server);
    if (member == null) {
      return Answer.error(404, "pool " + poolName + " has no server '" + server + "'");
    }
    ServerState to =
        switch (action) {
          case "drain" -> ServerState.DRAINING;
          case "disable" -> ServerState.DISABLED;
          case "enable" -> {
            HealthChecker checks = control.healthChecker(poolName);
            yield checks != null && Boolean.FALSE.equals(checks.health().get(server))
                ? ServerState.DOWN
                : ServerState.UP;
          }
          default -> null;
        };
    if (to == null) {
      return Answer.error(404, "unknown action '" + action + "'; use drain, enable or disable");
    }
    HealthChecker checker = control.healthChecker(poolName);
    ServerState from =
        checker != null ? checker.operatorSet(server, to) : pool.setState(server, to);
    log.info("admin: pool {} server {} {} ({} -> {})", poolName, server, action, from, to);
    return Answer.of(200, server(control, pool, pool.snapshot().member(server)));
  }

  private static Map<String, Object> server(AdminServer.Control control, Pool pool, Member m) {
    HealthChecker checks = control.healthChecker(pool.name());
    AffinityPolicy affinity = control.affinity(pool.name());
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("name", m.name());
    s.put("address", m.server().address());
    s.put("weight", m.weight());
    s.put("state", m.state().name());
    s.put("healthy", checks == null ? null : checks.health().get(m.name()));
    s.put("ejected", OutlierJson.ejection(m));
    s.put("agent", checks == null ? null : checks.agentJson(m.name()));
    s.put("inFlight", m.load().inFlight());
    s.put("completed", m.load().completed());
    s.put(
        "sessions",
        affinity == null
            ? null
            : affinity.stats().sessions().sessions().getOrDefault(m.name(), 0L));
    s.put(
        "tunnels",
        control.drains() == null ? null : control.drains().tunnels(pool.name(), m.name()));
    s.put("removal", ServerRoutes.pendingRemoval(control, pool.name(), m.name()));
    return s;
  }

  private static Answer noPool(String poolName, AdminServer.Control control) {
    return Answer.error(
        404, "no pool '" + poolName + "'; pools: " + control.config().pools().keySet());
  }

  /** 405 for {@code method} where only {@code allowed} is: the same answer as every route gives. */
  static Answer notAllowed(String method, String allowed) {
    return new Answer(
        405, Map.of("error", method + " is not allowed here; use " + allowed), allowed);
  }
}
