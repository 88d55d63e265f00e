package dev.tether.balance.affinity.policy;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.PoolSnapshot;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.ResponseHeaders;
import dev.tether.balance.affinity.table.StickTable;
import java.util.concurrent.CompletionStage;

/**
 * Mode {@code app-cookie}: stickiness on the application's own session cookie.
 *
 * <p>Design note: a value ending in {@code <separator><route>} (Tomcat {@code jvmRoute}, Keycloak
 * {@code AUTH_SESSION_ID=<id>.<node>}) goes to the server with that route without any table, so it
 * survives restarts and needs no sharing between Tether instances. Other values are looked up in
 * the stick table, which learns from the {@code Set-Cookie} headers of responses (nginx Plus {@code
 * sticky learn}). A value the table does not know is balanced afresh and remembered.
 *
 * <p>Ranked routes (WildFly's {@code ranked} affinity): {@code <id>.s2.s3} names the primary route
 * first and then the instances that hold replicas. The value is split at the first separator, and
 * the first route that names a server of the pool is the binding; segments that name none are part
 * of the id or a server since removed, and are skipped (so {@code a.b.s2} still means s2). When the
 * bound server cannot take the request, the next listed route whose server is up gets it, with
 * outcome {@link AffinityOutcome#FAILOVER_OWNER}, before the table and the algorithm.
 */
final class AppCookieAffinityPolicy extends TablePolicy {

  private final String name;
  private final String separator;
  private final boolean learn;

  AppCookieAffinityPolicy(
      String name, String separator, boolean learn, StickTable table, BoundResolution resolution) {
    super(requireNonNull(table, "table"), resolution);
    this.name = requireNonNull(name, "name");
    this.separator = requireNonNull(separator, "separator");
    this.learn = learn;
  }

  @Override
  public String mode() {
    return "app-cookie";
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
    int at = value.indexOf(separator);
    if (at >= 0) {
      Member[] ranked = routes(value.substring(at + separator.length()), snapshot);
      if (ranked.length > 0) {
        bound = ranked[0].name();
        if (!ranked[0].acceptsBound() && !assigner().rules().strict()) {
          for (int i = 1; i < ranked.length; i++) {
            if (ranked[i].acceptsNew()) {
              return failover(ranked[i], value);
            }
          }
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

  /** The pool's servers the route segments name, in their order, each once. */
  private Member[] routes(String suffix, PoolSnapshot snapshot) {
    java.util.List<Member> out = new java.util.ArrayList<>(2);
    int start = 0;
    while (start <= suffix.length()) {
      int end = suffix.indexOf(separator, start);
      if (end < 0) {
        end = suffix.length();
      }
      String route = suffix.substring(start, end);
      for (Member m : snapshot.members()) {
        if (m.server().route().equals(route) && !out.contains(m)) {
          out.add(m);
          break;
        }
      }
      start = end + separator.length();
    }
    return out.toArray(new Member[0]);
  }

  private Assigner assigner() {
    return resolution.assigner();
  }

  private AffinityDecision failover(Member owner, String value) {
    assigner().stats().record(AffinityOutcome.FAILOVER_OWNER);
    assigner().stats().sessions().touch(value, owner.name());
    return new AffinityDecision(owner, AffinityOutcome.FAILOVER_OWNER, null, value);
  }

  @Override
  public AffinityDecision redispatch(
      AffinityDecision failed, PickRequest request, PoolSnapshot snapshot) {
    if (failed.member() != null
        && failed.key() != null
        && !assigner().rules().strict()
        && (failed.outcome() == AffinityOutcome.HIT
            || failed.outcome() == AffinityOutcome.FAILOVER_OWNER)) {
      String value = failed.key();
      int at = value.indexOf(separator);
      if (at >= 0) {
        Member[] ranked = routes(value.substring(at + separator.length()), snapshot);
        for (Member m : ranked) {
          if (!m.name().equals(failed.member().name()) && m != ranked[0] && m.acceptsNew()) {
            return failover(m, value);
          }
        }
      }
    }
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
