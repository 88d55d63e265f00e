package dev.tether.balance.affinity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Live sessions per server: the distinct affinity keys seen within the idle window, by the server
 * they are bound to. Feeds "sessions remaining" for drain and the bounded-load rule.
 *
 * <p>Design note: a bounded Caffeine map key → server with write expiry; per-server counts are kept
 * up to date on every put that changes a key's server and in the eviction listener (which Caffeine
 * runs atomically with the removal), so the bounded-load check reads one counter instead of
 * scanning. Expired entries are noticed lazily; {@link #sessions()} cleans up first.
 */
public final class SessionTracker {

  private final Cache<Object, String> keys;
  private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();

  /**
   * @param window how long a key counts as live after it was last seen
   * @param maxKeys most keys tracked (oldest dropped beyond)
   * @param ticker monotonic nanoseconds
   */
  public SessionTracker(Duration window, long maxKeys, LongSupplier ticker) {
    this.keys = Caffeine.newBuilder()
        .expireAfterWrite(window)
        .maximumSize(maxKeys)
        .ticker(ticker::getAsLong)
        .executor(Runnable::run)
        .evictionListener((Object k, String server, RemovalCause c) -> adjust(server, -1))
        .build();
  }

  /** Records that {@code key} was seen bound to {@code server} now. */
  public void touch(Object key, String server) {
    String previous = keys.asMap().put(key, server);
    if (!server.equals(previous)) {
      adjust(server, 1);
      if (previous != null) {
        adjust(previous, -1);
      }
    }
  }

  /** The server {@code key} was last seen bound to within the window, or {@code null}. */
  public String boundTo(Object key) {
    return keys.getIfPresent(key);
  }

  /** Forgets {@code key} (its binding ended). */
  public void forget(Object key) {
    String previous = keys.asMap().remove(key);
    if (previous != null) {
      adjust(previous, -1);
    }
  }

  /** The live sessions bound to {@code server} (may include keys expired since the last cleanup). */
  public long count(String server) {
    AtomicLong c = counts.get(server);
    return c == null ? 0 : c.get();
  }

  /** All live sessions, as a sorted server → count map. */
  public Map<String, Long> sessions() {
    keys.cleanUp();
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((s, c) -> {
      if (c.get() > 0) {
        out.put(s, c.get());
      }
    });
    return out;
  }

  private void adjust(String server, int delta) {
    counts.computeIfAbsent(server, s -> new AtomicLong()).addAndGet(delta);
  }
}
