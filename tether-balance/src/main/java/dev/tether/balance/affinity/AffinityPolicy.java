package dev.tether.balance.affinity;

import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.PoolSnapshot;
import dev.tether.balance.affinity.table.StickTable;
import java.util.concurrent.CompletionStage;

/**
 * A pool's sticky-session rule: which server a request belongs to, and what its response must carry
 * so that the next request comes back (DESIGN §4). Built by the control plane per pool and kept
 * across reloads while its configuration is unchanged.
 *
 * <p>Implementations are thread-safe and never block: {@link #decide} runs on an event loop for
 * every request. Stateful parts (stick tables, session counts) are concurrent maps.
 *
 * <pre>{@code
 * AffinityDecision d = policy.decide(request, pool.snapshot(), null);
 * if (d.member() == null) {
 *   // 503
 * }
 * ... forward to d.member(); on the response head:
 * policy.onResponse(d, responseHeaders);
 * }</pre>
 */
public interface AffinityPolicy {

  /** The mode's config name, e.g. {@code cookie}. */
  String mode();

  /**
   * Starts whatever {@link #decide} needs from elsewhere (a shared stick table) without blocking;
   * the caller waits for the returned stage (on its event loop, without blocking it) and then calls
   * {@code decide}, whatever the stage's outcome. {@code null}: nothing to wait for (the default).
   */
  default CompletionStage<?> prepare(PickRequest request) {
    return null;
  }

  /**
   * Decides where {@code request} goes.
   *
   * @param connectionPin the server a previous unbound request on the same client connection was
   *     given, or {@code null}; an unbound request follows it while that server takes new work
   */
  AffinityDecision decide(PickRequest request, PoolSnapshot snapshot, String connectionPin);

  /**
   * The server chosen by {@code failed} refused the connection: decide again without it (or refuse,
   * when strict and the request was bound).
   */
  AffinityDecision redispatch(AffinityDecision failed, PickRequest request, PoolSnapshot snapshot);

  /** Called with the final response head: adds the decision's cookie, learns from the response. */
  void onResponse(AffinityDecision decision, ResponseHeaders headers);

  /** Releases what the policy holds outside the process (a shared table's connection). */
  default void close() {}

  /** The policy's stick table, or {@code null} when it keeps none (cookie mode, hashing). */
  default StickTable table() {
    return null;
  }

  /**
   * Sets how sessions bound to a draining server are treated from now on (the pool's {@code drain}
   * section; kept across reloads). The default ignores it: a policy that does not re-pin keeps
   * bound sessions on a draining server, which is {@link DrainMode#SOFT}.
   */
  default void drainRules(DrainRules rules) {}

  /** The drain rules in force; {@link DrainRules#SOFT} unless set. */
  default DrainRules drainRules() {
    return DrainRules.SOFT;
  }

  /** Outcome counts and live sessions per server. */
  AffinityStats stats();

  /** A decision for a server chosen without affinity (for callers that wrap a plain pick). */
  static AffinityDecision unbound(Member m) {
    return new AffinityDecision(m, AffinityOutcome.NEW, null, null);
  }
}
