package dev.tether.proxy.frontend;

import dev.tether.balance.Member;
import dev.tether.balance.affinity.AffinityDecision;

/**
 * What a {@link ServerPicker} chose: a server, a refusal with its reason, or nothing (no server
 * takes new work), as grpc-java's {@code PickResult}.
 *
 * @param member the server, or {@code null} when refused or none is available
 * @param decision the affinity decision behind it, or {@code null} when the pool has no affinity
 * @param refusal why the request must not be balanced elsewhere (503), or {@code null}
 */
record PickResult(Member member, AffinityDecision decision, String refusal) {

  /** No server takes new work (and nothing forbids one). */
  static final PickResult NONE = new PickResult(null, null, null);

  /**
   * Refusal reason of a client bound to a server that cannot serve, under {@code on-failure:
   * strict}.
   */
  static final String STRICT =
      "the server this client is bound to is unavailable (affinity on-failure: strict)";

  /** The request goes to {@code m}. */
  static PickResult server(Member m, AffinityDecision decision) {
    return new PickResult(m, decision, null);
  }

  /** The request must fail with 503 for {@code reason}. */
  static PickResult refused(String reason, AffinityDecision decision) {
    return new PickResult(null, decision, reason);
  }

  /** Whether a server was chosen. */
  boolean chosen() {
    return member != null;
  }
}
