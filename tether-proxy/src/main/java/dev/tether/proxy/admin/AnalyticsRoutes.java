package dev.tether.proxy.admin;

import dev.tether.proxy.alert.Alert;
import dev.tether.proxy.alert.AlertEvaluator;
import dev.tether.proxy.analytics.PoolFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The admin API's analytics answers: {@code GET /api/pools/{pool}/sessions} (the pool's {@link
 * PoolFigures}) and {@code GET /api/alerts} (the alerts firing now).
 */
final class AnalyticsRoutes {

  /** A status and a JSON body. */
  record Answer(int status, Object body) {}

  private AnalyticsRoutes() {}

  static boolean matches(String path) {
    if (path.equals("/api/alerts")) {
      return true;
    }
    String[] p = path.substring(1).split("/");
    return p.length == 4 && p[0].equals("api") && p[1].equals("pools") && p[3].equals("sessions");
  }

  static Answer answer(String path, AdminServer.Control control) {
    if (path.equals("/api/alerts")) {
      AlertEvaluator alerts = control.alerts();
      List<Map<String, Object>> out = new ArrayList<>();
      if (alerts != null) {
        for (Alert a : alerts.active()) {
          out.add(a.toJson());
        }
      }
      return new Answer(200, Map.of("alerts", out));
    }
    String pool = path.substring(1).split("/")[2];
    PoolFigures f = control.analytics() == null ? null : control.analytics().figures(pool);
    if (f == null) {
      return new Answer(
          404,
          Map.of("error", "no pool '" + pool + "'; pools: " + control.config().pools().keySet()));
    }
    return new Answer(200, f.toJson());
  }
}
