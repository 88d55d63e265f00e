package dev.tether.proxy.alert;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One alert that fired (or resolved).
 *
 * @param rule the rule's kind, e.g. {@code spread-imbalance}
 * @param name the rule's name
 * @param pool the pool
 * @param server the server, for per-server kinds (server-down, session-size), else {@code null}
 * @param since when the condition began to hold
 * @param value the watched figure at the latest evaluation that saw the condition
 * @param threshold the rule's threshold, or {@code null} for server-down
 * @param message one line for a person
 */
public record Alert(
    String rule,
    String name,
    String pool,
    String server,
    Instant since,
    double value,
    Double threshold,
    String message) {

  public Alert {
    requireNonNull(rule, "rule");
    requireNonNull(name, "name");
    requireNonNull(pool, "pool");
    requireNonNull(since, "since");
    requireNonNull(message, "message");
  }

  /** The JSON shape of {@code GET /api/alerts} entries. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rule", rule);
    m.put("name", name);
    m.put("pool", pool);
    m.put("server", server);
    m.put("since", since.toString());
    m.put("value", Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : null);
    m.put("threshold", threshold);
    m.put("message", message);
    return m;
  }
}
