package dev.tether.proxy.admin;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The balancer's own health for orchestrators: {@code GET /live} (200 while the process runs and
 * its admin API answers) and {@code GET /ready} (200 while it takes traffic, 503 before it listens
 * and while it shuts down). These two exact paths need no token, as a Kubernetes probe or a load
 * balancer's check carries no secret; they reveal nothing but liveness, readiness, the data address
 * and the number of pools. Every other path keeps its token.
 *
 * <pre>
 * GET /live   200 {"live": true, "uptimeSeconds": 42}
 * GET /ready  200 {"ready": true, "detail": "listening on 127.0.0.1:8080", "pools": 1}
 * GET /ready  503 {"ready": false, "detail": "shutting down"}
 * </pre>
 */
final class ProbeRoutes {

  /** A status and a JSON body. */
  record Answer(int status, Object body) {}

  private ProbeRoutes() {}

  /** Whether {@code rawPath} is {@code /live} or {@code /ready}, exactly. */
  static boolean matches(String rawPath) {
    return rawPath.equals("/live") || rawPath.equals("/ready");
  }

  static Answer answer(String rawPath, AdminServer.Control control) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (rawPath.equals("/live")) {
      body.put("live", true);
      body.put("uptimeSeconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
      return new Answer(200, body);
    }
    Readiness r = control.readiness();
    body.put("ready", r.ready());
    body.put("detail", r.detail());
    if (r.ready()) {
      body.put("pools", control.config().pools().size());
    }
    return new Answer(r.ready() ? 200 : 503, body);
  }
}
