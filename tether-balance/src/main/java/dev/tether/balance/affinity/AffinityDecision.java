package dev.tether.balance.affinity;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.affinity.token.AffinityToken;

/**
 * Where one request goes and what its response must carry.
 *
 * @param member the server, or {@code null} when the request must fail with 503 (outcome {@link
 *     AffinityOutcome#REFUSED}, or no server accepts new work)
 * @param outcome how the decision was reached
 * @param setCookie a complete {@code Set-Cookie} value the response must carry, or {@code null}
 * @param key the affinity key the decision was made on (for learning), or {@code null}
 * @param token the affinity token the request goes under (cookie mode: the one the client sent, or
 *     the one {@code setCookie} carries), or {@code null}
 */
public record AffinityDecision(
    Member member, AffinityOutcome outcome, String setCookie, String key, AffinityToken token) {

  public AffinityDecision {
    requireNonNull(outcome, "outcome");
  }

  /** A decision without a token. */
  public AffinityDecision(Member member, AffinityOutcome outcome, String setCookie, String key) {
    this(member, outcome, setCookie, key, null);
  }

  /**
   * The {@code Tether-Binding} value to send to {@link #member()} (see {@link
   * AffinityToken#binding()}), or {@code null} when the request goes under no token or to another
   * server than the token names.
   */
  public String binding() {
    return token == null || member == null || !token.server().equals(member.name())
        ? null
        : token.binding();
  }
}
