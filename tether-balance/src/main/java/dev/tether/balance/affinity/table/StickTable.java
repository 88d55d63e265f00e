package dev.tether.balance.affinity.table;

import java.util.concurrent.CompletionStage;

/**
 * A bounded, expiring map from an affinity key (an application session id, a client address, a
 * header value) to a server name. Implementations are thread-safe and never block; a table kept
 * elsewhere (Redis) answers {@link #get} from a local copy filled by {@link #prefetch}.
 */
public interface StickTable {

  /** The server {@code key} is bound to, or {@code null}; counts as use (resets idle expiry). */
  String get(String key);

  /** Binds {@code key} to {@code server}. */
  void put(String key, String server);

  /**
   * Makes {@code key}'s binding available to {@link #get} without blocking: a shared table starts a
   * remote lookup and returns a stage that completes (normally or not) when {@code get} may be
   * called; a local table returns {@code null} (nothing to wait for). A failed or timed-out stage
   * means the table cannot say, and the request is balanced by the pool's algorithm.
   */
  default CompletionStage<?> prefetch(String key) {
    return null;
  }

  /** Entries, hits, misses and evictions so far. */
  StickTableStats stats();
}
