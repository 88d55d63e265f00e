package dev.tether.balance.affinity;

/** What a pool does with the sessions bound to a draining server ({@code pools.<p>.drain.mode}). */
public enum DrainMode {
  /** Sessions stay on the draining server until they idle out (the default). */
  SOFT,
  /** Each session moves to another server at its next request. */
  HARD,
  /**
   * Each session moves at its next request after it has been idle for {@link
   * DrainRules#boundaryIdle()}: a request boundary where moving cannot race an ongoing exchange.
   * Only safe when the pool's applications share sessions (replicated).
   */
  BOUNDARY
}
