package dev.tether.proxy.admin;

import dev.tether.balance.ServerState;
import dev.tether.proxy.config.DrainConfig;
import dev.tether.proxy.drain.DrainService;
import dev.tether.proxy.drain.DrainStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The admin API's drain answers:
 *
 * <pre>
 * POST /api/pools/{pool}/servers/{server}/drain[?deadline=10m]  start draining; 200 with the status
 * GET  /api/pools/{pool}/servers/{server}/drain                 the status: 200, or 409 when not draining
 * </pre>
 *
 * <p>The status is {@link DrainStatus#toJson()}: {@code done} is true once the server drains with
 * no live session, no request in flight and no open tunnel. A server that is not draining answers
 * 409 with {@code {"error": ..., "state": "UP"}}, so that a script waiting for {@code done} stops
 * when someone re-enabled the server instead of waiting forever. Unknown pool or server: 404; a bad
 * or misplaced {@code deadline}: 400.
 */
final class DrainRoutes {

  /** A status and a JSON body. */
  record Answer(int status, Object body) {}

  private DrainRoutes() {}

  static boolean matches(String path) {
    String[] p = path.substring(1).split("/");
    return p.length == 6
        && p[0].equals("api")
        && p[1].equals("pools")
        && p[3].equals("servers")
        && p[5].equals("drain");
  }

  static Answer answer(String method, String rawQuery, String path, AdminServer.Control control) {
    String[] p = path.substring(1).split("/");
    String pool = p[2];
    String server = p[4];
    if (!method.equals("GET") && !method.equals("POST")) {
      return new Answer(
          405, Map.of("error", method + " is not allowed here; use GET (status) or POST (start)"));
    }
    DrainService drains = control.drains();
    if (drains == null) {
      return new Answer(501, Map.of("error", "this balancer does not track drains"));
    }
    Duration deadline;
    try {
      deadline = deadline(rawQuery, method);
    } catch (IllegalArgumentException e) {
      return new Answer(400, Map.of("error", e.getMessage()));
    }
    try {
      if (method.equals("POST")) {
        dev.tether.proxy.health.HealthChecker checker = control.healthChecker(pool);
        return new Answer(
            200,
            drains
                .start(
                    pool,
                    server,
                    deadline,
                    checker == null
                        ? null
                        : name -> checker.operatorSet(name, ServerState.DRAINING))
                .toJson());
      }
      DrainStatus s = drains.status(pool, server);
      if (s.state() != ServerState.DRAINING) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
            "error",
            "server "
                + server
                + " of pool "
                + pool
                + " is not draining (state "
                + s.state()
                + "); start a drain with POST /api/pools/"
                + pool
                + "/servers/"
                + server
                + "/drain");
        body.put("state", s.state().name());
        return new Answer(409, body);
      }
      return new Answer(200, s.toJson());
    } catch (NoSuchElementException e) {
      return new Answer(404, Map.of("error", e.getMessage()));
    }
  }

  /** The {@code deadline} query parameter of a POST, or {@code null}. */
  private static Duration deadline(String rawQuery, String method) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return null;
    }
    Duration deadline = null;
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (!name.equals("deadline")) {
        throw new IllegalArgumentException(
            "unknown parameter '" + name + "'; the only one is deadline, e.g. ?deadline=10m");
      }
      if (!method.equals("POST")) {
        throw new IllegalArgumentException(
            "deadline: a deadline is set when the drain starts, with POST ...?deadline=10m");
      }
      try {
        deadline = DrainConfig.parseDeadline(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("deadline: " + e.getMessage());
      }
    }
    return deadline;
  }
}
