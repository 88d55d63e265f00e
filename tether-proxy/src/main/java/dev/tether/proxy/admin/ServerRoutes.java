package dev.tether.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.proxy.config.ServerConfig;
import dev.tether.proxy.config.ServerInput;
import dev.tether.proxy.runtime.RuntimeChanges;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The admin API's runtime server changes (see {@link RuntimeChanges}, and docs/runtime-changes.md):
 *
 * <pre>
 * POST   /api/pools/{pool}/servers                  add {"name": "s4", "address": "10.0.0.4:8080", "weight": 1}
 * DELETE /api/pools/{pool}/servers/{server}         drain, then remove (?deadline=10m); ?now removes at once
 * PUT    /api/pools/{pool}/servers/{server}/weight  {"weight": 5}
 * </pre>
 *
 * <p>Answers: 201 with the added server; 202 with the pending removal, 200 once removed; 200 with
 * the new and previous weight. Errors: 400 naming the field and what is allowed, 404 for an unknown
 * pool or server, 409 for a name, address or route in use or the pool's last server, 405 for
 * another method.
 */
final class ServerRoutes {

  static final Duration MAX_DEADLINE = Duration.ofHours(24);
  private static final int MAX_BODY = 16 * 1024;
  private static final Set<String> ADD_FIELDS = Set.of("name", "address", "weight");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A status, a JSON body and, for 405, the allowed methods. */
  record Answer(int status, Object body, String allow) {
    static Answer of(int status, Object body) {
      return new Answer(status, body, null);
    }

    static Answer error(int status, String message) {
      return new Answer(status, Map.of("error", message), null);
    }
  }

  private ServerRoutes() {}

  /**
   * Whether this class answers {@code method path}: any method but GET on a pool's server list,
   * anything on one server, and its {@code weight}.
   */
  static boolean matches(String method, String[] p) {
    if (p.length < 4 || !p[0].equals("api") || !p[1].equals("pools") || !p[3].equals("servers")) {
      return false;
    }
    return (p.length == 4 && !method.equals("GET"))
        || p.length == 5
        || (p.length == 6 && p[5].equals("weight"));
  }

  static Answer answer(
      String method, String[] p, String rawQuery, byte[] body, AdminServer.Control control) {
    RuntimeChanges changes = control.runtimeChanges();
    if (changes == null) {
      return Answer.error(501, "this balancer does not take runtime server changes");
    }
    try {
      if (p.length == 4) {
        return method.equals("POST")
            ? add(p[2], body, changes, control)
            : new Answer(
                405,
                Map.of(
                    "error",
                    method + " is not allowed here; use GET to list or POST to add a server"),
                "GET, POST");
      }
      if (p.length == 5) {
        return method.equals("DELETE")
            ? remove(p[2], p[4], rawQuery, changes)
            : new Answer(
                405,
                Map.of("error", method + " is not allowed here; use DELETE to remove the server"),
                "DELETE");
      }
      return method.equals("PUT")
          ? weight(p[2], p[4], body, changes)
          : new Answer(
              405,
              Map.of("error", method + " is not allowed here; use PUT with {\"weight\": n}"),
              "PUT");
    } catch (IllegalArgumentException e) {
      return Answer.error(400, e.getMessage());
    } catch (RuntimeChanges.RefusedException e) {
      return Answer.error(
          e.refusal() == RuntimeChanges.Refusal.NOT_FOUND ? 404 : 409, e.getMessage());
    }
  }

  /**
   * For the server listing: {@code {"since": ..., "deadline": ...}} while {@code DELETE} drains the
   * server before removing it, else {@code null}.
   */
  static Map<String, String> pendingRemoval(
      AdminServer.Control control, String pool, String server) {
    RuntimeChanges changes = control.runtimeChanges();
    if (changes == null) {
      return null;
    }
    for (RuntimeChanges.Removal r : changes.pending(pool)) {
      if (r.server().equals(server)) {
        return Map.of("since", r.since().toString(), "deadline", r.deadline().toString());
      }
    }
    return null;
  }

  private static Answer add(
      String pool, byte[] body, RuntimeChanges changes, AdminServer.Control control) {
    JsonNode n = object(body, "{\"name\": \"s4\", \"address\": \"10.0.0.4:8080\", \"weight\": 1}");
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!ADD_FIELDS.contains(f)) {
        throw new IllegalArgumentException(
            f + ": unknown field; a server has name, address and weight (optional, default 1)");
      }
    }
    String name = text(n, "name", "a name unique in the pool, e.g. \"s4\"");
    String address = text(n, "address", "host:port, e.g. \"10.0.0.4:8080\"");
    int weight = n.has("weight") ? weightOf(n) : ServerInput.DEFAULT_WEIGHT;
    ServerConfig s = ServerInput.server(name, address, weight);
    // The file may name a host that resolves later (it gets 502s meanwhile); a server added by hand
    // is
    // checked now, on this admin thread, so that a typo is a 400 and not a server that fails
    // requests.
    if (new InetSocketAddress(s.address().host(), s.address().port()).isUnresolved()) {
      throw new IllegalArgumentException(
          "address: host '"
              + s.address().host()
              + "' does not resolve; give an IP address or a resolvable name");
    }
    changes.add(pool, s);
    Pool p = control.pool(pool);
    Member m = p == null ? null : p.snapshot().member(name);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("pool", pool);
    out.put("name", s.name());
    out.put("address", s.address().toString());
    out.put("weight", s.weight());
    out.put("state", m == null ? null : m.state().name());
    return Answer.of(201, out);
  }

  private static Answer remove(
      String pool, String server, String rawQuery, RuntimeChanges changes) {
    Map<String, String> q = query(rawQuery);
    boolean now = false;
    Duration deadline = null;
    for (Map.Entry<String, String> e : q.entrySet()) {
      switch (e.getKey()) {
        case "now" -> {
          if (!e.getValue().isEmpty() && !e.getValue().equals("true")) {
            throw new IllegalArgumentException(
                "now: '"
                    + e.getValue()
                    + "' is not allowed; give ?now (or ?now=true) to remove at once");
          }
          now = true;
        }
        case "deadline" -> {
          deadline = ServerInput.duration("deadline", e.getValue());
          if (deadline.isZero() || deadline.compareTo(MAX_DEADLINE) > 0) {
            throw new IllegalArgumentException(
                "deadline: "
                    + e.getValue()
                    + " is out of range; use 1ms..24h, or ?now to remove at once");
          }
        }
        default ->
            throw new IllegalArgumentException(
                e.getKey() + ": unknown parameter; use ?now or ?deadline=10m");
      }
    }
    if (now && q.containsKey("deadline")) {
      throw new IllegalArgumentException("deadline: not with ?now; give one of them");
    }
    RuntimeChanges.Removal r = changes.remove(pool, server, now, now ? Duration.ZERO : deadline);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("pool", pool);
    out.put("server", server);
    out.put("removed", r.removed());
    if (!r.removed()) {
      out.put("draining", true);
      out.put("since", r.since().toString());
      out.put("deadline", r.deadline().toString());
    }
    return Answer.of(r.removed() ? 200 : 202, out);
  }

  private static Answer weight(String pool, String server, byte[] body, RuntimeChanges changes) {
    JsonNode n = object(body, "{\"weight\": 5}");
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("weight")) {
        throw new IllegalArgumentException(f + ": unknown field; give only {\"weight\": n}");
      }
    }
    if (!n.has("weight")) {
      throw new IllegalArgumentException(
          "weight: missing; give {\"weight\": n} with n in "
              + ServerInput.MIN_WEIGHT
              + ".."
              + ServerInput.MAX_WEIGHT);
    }
    int w = weightOf(n);
    int previous = changes.weight(pool, server, w);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("pool", pool);
    out.put("server", server);
    out.put("weight", w);
    out.put("previous", previous);
    return Answer.of(200, out);
  }

  private static int weightOf(JsonNode n) {
    JsonNode w = n.get("weight");
    if (!w.isIntegralNumber()) {
      throw new IllegalArgumentException(
          "weight: "
              + w
              + " is not a whole number; use "
              + ServerInput.MIN_WEIGHT
              + ".."
              + ServerInput.MAX_WEIGHT);
    }
    ServerInput.checkWeight(w.canConvertToLong() ? w.asLong() : Long.MAX_VALUE);
    return w.asInt();
  }

  private static String text(JsonNode n, String field, String example) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(field + ": missing; give " + example);
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(field + ": " + v + " is not a string; give " + example);
    }
    return v.asText();
  }

  private static JsonNode object(byte[] body, String example) {
    if (body.length > MAX_BODY) {
      throw new IllegalArgumentException(
          "body: more than " + MAX_BODY + " bytes; send a JSON object like " + example);
    }
    JsonNode n;
    try {
      n = body.length == 0 ? null : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "body: not JSON (" + e.getOriginalMessage() + "); send an object like " + example);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "body: unreadable (" + e.getMessage() + "); send an object like " + example);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("body: expected a JSON object like " + example);
    }
    return n;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      if (out.put(k, v) != null) {
        throw new IllegalArgumentException(k + ": given twice; give it once");
      }
    }
    return out;
  }
}
