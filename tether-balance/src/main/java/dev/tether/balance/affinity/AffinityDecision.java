package dev.tether.balance.affinity;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;

/**
 * Where one request goes and what its response must carry.
 *
 * @param member the server, or {@code null} when the request must fail with 503 (outcome
 *     {@link AffinityOutcome#REFUSED}, or no server accepts new work)
 * @param outcome how the decision was reached
 * @param setCookie a complete {@code Set-Cookie} value the response must carry, or {@code null}
 * @param key the affinity key the decision was made on (for learning), or {@code null}
 */
public record AffinityDecision(Member member, AffinityOutcome outcome, String setCookie, String key) {

  public AffinityDecision {
    requireNonNull(outcome, "outcome");
  }
}
