package dev.tether.balance.affinity;

/**
 * A bounded, expiring map from an affinity key (an application session id, a client address, a
 * header value) to a server name. Implementations are thread-safe and never block.
 */
public interface StickTable {

  /** The server {@code key} is bound to, or {@code null}; counts as use (resets idle expiry). */
  String get(String key);

  /** Binds {@code key} to {@code server}. */
  void put(String key, String server);

  /** Entries, hits, misses and evictions so far. */
  StickTableStats stats();
}
