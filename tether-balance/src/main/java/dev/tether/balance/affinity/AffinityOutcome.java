package dev.tether.balance.affinity;

/** How an affinity policy placed one request; shown in the access log and the debug header. */
public enum AffinityOutcome {
  /** The request was bound and went to its server. */
  HIT("hit"),
  /** The request carried no binding: balanced, and bound from now on. */
  NEW("new"),
  /** The bound server was down, disabled, removed or refused the connection: re-pinned. */
  REDISPATCHED_DOWN("redispatched-down"),
  /**
   * The bound server was down, draining hard, removed or refused the connection, and the request
   * went to the next of the session's owners that is up (it holds the session in its own memory).
   */
  FAILOVER_OWNER("failover-owner"),
  /** The bound server is draining and the policy moves its clients: re-pinned. */
  REDISPATCHED_DRAIN("redispatched-drain"),
  /** The binding had outlived its idle or absolute lifetime: balanced afresh. */
  EXPIRED("expired"),
  /** The binding was forged, tampered with or undecodable: balanced afresh. */
  INVALID("invalid"),
  /** The binding was moved to a less loaded server (budgeted migration). */
  REBALANCED("rebalanced"),
  /** The bound server cannot serve and the policy is strict: the request fails with 503. */
  REFUSED("refused");

  private final String label;

  AffinityOutcome(String label) {
    this.label = label;
  }

  /** The lower-case name used in logs and headers, e.g. {@code redispatched-down}. */
  public String label() {
    return label;
  }
}
