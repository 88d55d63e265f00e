package dev.tether.balance.affinity.table;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Live sessions per server: the distinct affinity keys seen within the idle window, by the server
 * they are bound to. Feeds "sessions remaining" for drain, the bounded-load rule and the session
 * analytics (births, lifespans).
 *
 * <p>Design note: a bounded Caffeine map key → binding with write expiry; per-server counts are
 * kept up to date on every put that changes a key's server and in the eviction listener (which
 * Caffeine runs atomically with the removal), so the bounded-load check reads one counter instead
 * of scanning. A binding carries the ticker reading of its key's first and last sighting: a touch
 * of a key already bound to the same server writes one long and re-puts the same object (no
 * allocation); only a new key or a move allocates a binding. A key seen for the first time counts
 * as a birth; when it expires, is evicted or forgotten, its lifespan (first to last sighting) goes
 * to the {@link Listener}. Expired entries are noticed lazily; {@link #sessions()} cleans up first.
 */
public final class SessionTracker {

  /** Told when a session ends; called on whichever thread noticed the end, must not block. */
  @FunctionalInterface
  public interface Listener {
    /**
     * The key bound to {@code server} ended after {@code lifespanNanos} from first to last
     * sighting.
     */
    void ended(String server, long lifespanNanos);
  }

  private static final Listener NONE = (s, n) -> {};

  /** Where one key is bound, and when it was first and last seen (ticker nanoseconds). */
  private static final class Binding {
    final String server;
    final long firstSeen;
    volatile long lastSeen;

    Binding(String server, long firstSeen, long lastSeen) {
      this.server = server;
      this.firstSeen = firstSeen;
      this.lastSeen = lastSeen;
    }
  }

  private final Cache<Object, Binding> keys;
  private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final LongAdder births = new LongAdder();
  private final LongSupplier ticker;
  private volatile Listener listener = NONE;

  /**
   * @param window how long a key counts as live after it was last seen
   * @param maxKeys most keys tracked (oldest dropped beyond)
   * @param ticker monotonic nanoseconds
   */
  public SessionTracker(Duration window, long maxKeys, LongSupplier ticker) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.keys =
        Caffeine.newBuilder()
            .expireAfterWrite(window)
            .maximumSize(maxKeys)
            .ticker(ticker::getAsLong)
            .executor(Runnable::run)
            .evictionListener((Object k, Binding b, RemovalCause c) -> end(b))
            .build();
  }

  /** Sets who hears of ended sessions (one listener; {@code null} = nobody). */
  public void listener(Listener l) {
    this.listener = l == null ? NONE : l;
  }

  /** Records that {@code key} was seen bound to {@code server} now. */
  public void touch(Object key, String server) {
    long now = ticker.getAsLong();
    Binding current = keys.getIfPresent(key);
    if (current != null && current.server.equals(server)) {
      current.lastSeen = now;
      if (keys.asMap().put(key, current) == null) { // restarts the idle window
        // Expired or evicted between the read and the write (its end was counted): alive again.
        births.increment();
        adjust(server, 1);
      }
      return;
    }
    Binding next = new Binding(server, current == null ? now : current.firstSeen, now);
    Binding previous = keys.asMap().put(key, next);
    if (previous == null) {
      births.increment();
      adjust(server, 1);
    } else if (!previous.server.equals(server)) {
      adjust(server, 1);
      adjust(previous.server, -1);
    }
  }

  /** The server {@code key} was last seen bound to within the window, or {@code null}. */
  public String boundTo(Object key) {
    Binding b = keys.getIfPresent(key);
    return b == null ? null : b.server;
  }

  /**
   * How long ago {@code key} was last seen, in ticker nanoseconds, or {@link Long#MAX_VALUE} when
   * it is not live (never seen, or idle past the window).
   */
  public long idleNanos(Object key) {
    Binding b = keys.getIfPresent(key);
    return b == null ? Long.MAX_VALUE : Math.max(0, ticker.getAsLong() - b.lastSeen);
  }

  /** Forgets {@code key} (its binding ended). */
  public void forget(Object key) {
    Binding previous = keys.asMap().remove(key);
    if (previous != null) {
      end(previous);
    }
  }

  /**
   * The live sessions bound to {@code server} (may include keys expired since the last cleanup).
   */
  public long count(String server) {
    AtomicLong c = counts.get(server);
    return c == null ? 0 : c.get();
  }

  /** Keys seen for the first time (within the window) since this tracker was made. */
  public long births() {
    return births.sum();
  }

  /** All live sessions, as a sorted server → count map. */
  public Map<String, Long> sessions() {
    keys.cleanUp();
    Map<String, Long> out = new TreeMap<>();
    counts.forEach(
        (s, c) -> {
          if (c.get() > 0) {
            out.put(s, c.get());
          }
        });
    return out;
  }

  private void end(Binding b) {
    adjust(b.server, -1);
    listener.ended(b.server, Math.max(0, b.lastSeen - b.firstSeen));
  }

  private void adjust(String server, int delta) {
    counts.computeIfAbsent(server, s -> new AtomicLong()).addAndGet(delta);
  }
}
