package dev.tether.proxy.tunnel;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open tunnels of one pool, by the server they lead to: what a drain waits for and closes.
 * Thread-safe; a tunnel registers when it starts and leaves when its backend connection closes.
 * Kept across reloads for a pool that keeps its name, since tunnels outlive a routing table.
 */
public final class TunnelRegistry {

  /** One open tunnel, as a drain sees it. Implementations are thread-safe. */
  public interface Entry {
    /** The server the tunnel's backend connection goes to. */
    String server();

    /** Whether the tunnel carries a WebSocket, which can be closed with a close frame. */
    boolean webSocket();

    /**
     * Asks the client to reconnect: a WebSocket gets a close frame with code 1001 (Going Away) at
     * the next frame boundary and its backend connection is closed; any other tunnel is closed.
     * Calling it again is harmless.
     */
    void goAway();

    /** Whether {@link #goAway()} has been called. */
    boolean goingAway();

    /** Closes both connections now. */
    void close();
  }

  private final Map<String, Set<Entry>> byServer = new ConcurrentHashMap<>();

  /**
   * Registers {@code e}.
   *
   * @return removes it again (call once its backend connection has closed)
   */
  public Runnable add(Entry e) {
    requireNonNull(e, "e");
    byServer.computeIfAbsent(e.server(), s -> ConcurrentHashMap.newKeySet()).add(e);
    return () -> {
      Set<Entry> set = byServer.get(e.server());
      if (set != null) {
        set.remove(e);
      }
    };
  }

  /** Open tunnels to {@code server}. */
  public int count(String server) {
    Set<Entry> set = byServer.get(server);
    return set == null ? 0 : set.size();
  }

  /** The open tunnels to {@code server}, as a copy. */
  public List<Entry> of(String server) {
    Set<Entry> set = byServer.get(server);
    return set == null ? List.of() : List.copyOf(set);
  }

  /** Open tunnels per server, sorted by server, leaving out servers with none. */
  public Map<String, Integer> counts() {
    Map<String, Integer> out = new TreeMap<>();
    byServer.forEach(
        (s, set) -> {
          if (!set.isEmpty()) {
            out.put(s, set.size());
          }
        });
    return out;
  }
}
