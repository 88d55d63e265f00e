package dev.tether.balance.affinity;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.PoolSnapshot;
import java.util.concurrent.CompletionStage;

/**
 * Mode {@code app-cookie}: stickiness on the application's own session cookie.
 *
 * <p>Design note: a value ending in {@code <separator><route>} (Tomcat {@code jvmRoute}, Keycloak
 * {@code AUTH_SESSION_ID=<id>.<node>}) goes to the server with that route without any table, so it
 * survives restarts and needs no sharing between Tether instances. Other values are looked up in
 * the stick table, which learns from the {@code Set-Cookie} headers of responses (nginx Plus
 * {@code sticky learn}). A value the table does not know is balanced afresh and remembered.
 */
final class AppCookieAffinityPolicy implements AffinityPolicy {

  private final String name;
  private final String separator;
  private final boolean learn;
  private final StickTable table;
  private final BoundResolution resolution;

  AppCookieAffinityPolicy(String name, String separator, boolean learn, StickTable table, BoundResolution resolution) {
    this.name = requireNonNull(name, "name");
    this.separator = requireNonNull(separator, "separator");
    this.learn = learn;
    this.table = requireNonNull(table, "table");
    this.resolution = requireNonNull(resolution, "resolution");
  }

  @Override
  public String mode() {
    return "app-cookie";
  }

  @Override
  public StickTable table() {
    return table;
  }

  @Override
  public CompletionStage<?> prepare(PickRequest request) {
    String value = request.cookie(name);
    return value == null || value.isEmpty() ? null : table.prefetch(value);
  }

  @Override
  public AffinityDecision decide(PickRequest request, PoolSnapshot snapshot, String connectionPin) {
    String value = request.cookie(name);
    if (value == null || value.isEmpty()) {
      return resolution.resolve(request, snapshot, connectionPin, null, null);
    }
    String bound = null;
    int at = value.lastIndexOf(separator);
    if (at >= 0) {
      String route = value.substring(at + separator.length());
      for (Member m : snapshot.members()) {
        if (m.server().route().equals(route)) {
          bound = m.name();
          break;
        }
      }
    }
    if (bound == null) {
      bound = table.get(value);
    }
    AffinityDecision d = resolution.resolve(request, snapshot, connectionPin, bound, value);
    if (d.member() != null && !d.member().name().equals(bound)) {
      table.put(value, d.member().name());
    }
    return d;
  }

  @Override
  public AffinityDecision redispatch(AffinityDecision failed, PickRequest request, PoolSnapshot snapshot) {
    AffinityDecision d = resolution.redispatch(failed, request, snapshot);
    if (d.member() != null && d.key() != null) {
      table.put(d.key(), d.member().name());
    }
    return d;
  }

  @Override
  public void onResponse(AffinityDecision decision, ResponseHeaders headers) {
    if (!learn || decision.member() == null) {
      return;
    }
    for (String h : headers.getAll("Set-Cookie")) {
      String value = cookieValue(h, name);
      if (value != null && !value.isEmpty()) {
        table.put(value, decision.member().name());
        resolution.assigner().stats().sessions().touch(value, decision.member().name());
      }
    }
  }

  @Override
  public void close() {
    if (table instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the stick table failed", e);
      }
    }
  }

  @Override
  public void drainRules(DrainRules rules) {
    resolution.assigner().drain(rules);
  }

  @Override
  public DrainRules drainRules() {
    return resolution.assigner().drain();
  }

  @Override
  public AffinityStats stats() {
    return resolution.assigner().stats();
  }

  /** The value of a {@code Set-Cookie} header if it sets cookie {@code name}, else {@code null}. */
  static String cookieValue(String setCookie, String name) {
    int eq = setCookie.indexOf('=');
    if (eq < 0 || !setCookie.substring(0, eq).trim().equals(name)) {
      return null;
    }
    int end = setCookie.indexOf(';', eq + 1);
    String v = (end < 0 ? setCookie.substring(eq + 1) : setCookie.substring(eq + 1, end)).trim();
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    return v;
  }
}
