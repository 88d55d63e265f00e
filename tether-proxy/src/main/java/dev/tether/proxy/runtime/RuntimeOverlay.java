package dev.tether.proxy.runtime;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.ServerConfig;
import dev.tether.proxy.config.TetherConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The servers added, removed and re-weighted at run time, kept apart from the file so that they
 * survive a reload while the file does not contradict them. Immutable: every change returns a new
 * overlay.
 *
 * <p>The rules, per pool, applied by {@link #rebase} each time the file is loaded again:
 *
 * <ul>
 *   <li><b>Added</b> server {@code s}: stays while the file shows no server named {@code s} and
 *       none with its address or with route {@code s}; otherwise the file's server wins and the
 *       runtime one is forgotten.
 *   <li><b>Removed</b> file server {@code s}: stays removed while the file still defines {@code s}
 *       exactly as it did when it was removed (name, address, weight, route). If the file changes
 *       {@code s}, the file is newer and {@code s} is back; if the file drops {@code s}, there is
 *       nothing left to remove.
 *   <li><b>Weight</b> of file server {@code s}: the runtime weight stays while the file's weight of
 *       {@code s} is the one it had when the runtime weight was set; a changed file weight wins.
 *       Other fields of {@code s} (address, route) always come from the file.
 *   <li>A pool that the file no longer has takes its runtime changes with it.
 * </ul>
 *
 * <p>A weight set on a runtime-added server just changes that server. Thread-safe (immutable).
 */
public final class RuntimeOverlay {

  /** A server added at run time, with its current definition. */
  public record Added(ServerConfig server, Instant at, Instant weightAt) {
    public Added {
      requireNonNull(server, "server");
      requireNonNull(at, "at");
    }
  }

  /** A file server removed at run time: its definition in the file when it was removed. */
  public record Removed(ServerConfig fileServer, Instant at) {
    public Removed {
      requireNonNull(fileServer, "fileServer");
      requireNonNull(at, "at");
    }
  }

  /** A file server's weight set at run time, with the file's weight it replaced. */
  public record Weighted(int fileWeight, int weight, Instant at) {
    public Weighted {
      requireNonNull(at, "at");
    }
  }

  /** One pool's changes; maps by server name in the order they were made. */
  public record PoolChanges(
      Map<String, Added> added, Map<String, Removed> removed, Map<String, Weighted> weights) {
    static final PoolChanges NONE = new PoolChanges(Map.of(), Map.of(), Map.of());

    public PoolChanges {
      added = Collections.unmodifiableMap(new LinkedHashMap<>(added));
      removed = Collections.unmodifiableMap(new LinkedHashMap<>(removed));
      weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty() && weights.isEmpty();
    }
  }

  /** An overlay after a reload, and what the new file overrode (for the log). */
  public record Rebased(RuntimeOverlay overlay, List<String> dropped) {}

  /** No runtime changes. */
  public static final RuntimeOverlay EMPTY = new RuntimeOverlay(Map.of());

  private final Map<String, PoolChanges> pools;

  private RuntimeOverlay(Map<String, PoolChanges> pools) {
    Map<String, PoolChanges> m = new LinkedHashMap<>();
    pools.forEach(
        (k, v) -> {
          if (!v.isEmpty()) {
            m.put(k, v);
          }
        });
    this.pools = Collections.unmodifiableMap(m);
  }

  /** The changes of pool {@code pool} (empty when none). */
  public PoolChanges changes(String pool) {
    return pools.getOrDefault(pool, PoolChanges.NONE);
  }

  /** Whether there are no runtime changes at all. */
  public boolean isEmpty() {
    return pools.isEmpty();
  }

  /**
   * The effective configuration: {@code file} with these changes applied (call on a rebased
   * overlay).
   */
  public TetherConfig apply(TetherConfig file) {
    if (pools.isEmpty()) {
      return file;
    }
    Map<String, PoolConfig> out = new LinkedHashMap<>();
    for (PoolConfig pc : file.pools().values()) {
      out.put(pc.name(), apply(pc));
    }
    return file.withPools(out);
  }

  private PoolConfig apply(PoolConfig pc) {
    PoolChanges c = changes(pc.name());
    if (c.isEmpty()) {
      return pc;
    }
    List<ServerConfig> servers = new ArrayList<>();
    for (ServerConfig s : pc.servers()) {
      if (c.removed().containsKey(s.name())) {
        continue;
      }
      Weighted w = c.weights().get(s.name());
      servers.add(w == null ? s : new ServerConfig(s.name(), s.address(), w.weight(), s.route()));
    }
    c.added().values().forEach(a -> servers.add(a.server()));
    return pc.withServers(servers);
  }

  /** With {@code server} added to {@code pool} (the caller has checked it clashes with nothing). */
  public RuntimeOverlay add(String pool, ServerConfig server, Instant at) {
    PoolChanges c = changes(pool);
    Map<String, Added> added = new LinkedHashMap<>(c.added());
    added.put(server.name(), new Added(server, at, null));
    return with(pool, new PoolChanges(added, c.removed(), c.weights()));
  }

  /**
   * With server {@code name} of {@code pool} removed.
   *
   * @param fileServer its definition in the file in force, or {@code null} when it was added at run
   *     time (then it is just forgotten)
   */
  public RuntimeOverlay remove(String pool, String name, ServerConfig fileServer, Instant at) {
    PoolChanges c = changes(pool);
    Map<String, Added> added = new LinkedHashMap<>(c.added());
    Map<String, Removed> removed = new LinkedHashMap<>(c.removed());
    Map<String, Weighted> weights = new LinkedHashMap<>(c.weights());
    if (added.remove(name) == null && fileServer != null) {
      removed.put(name, new Removed(fileServer, at));
      weights.remove(name);
    }
    return with(pool, new PoolChanges(added, removed, weights));
  }

  /**
   * With the weight of server {@code name} of {@code pool} set to {@code weight}.
   *
   * @param fileServer its definition in the file in force, or {@code null} when it was added at run
   *     time; setting a file server back to its file weight forgets the change
   */
  public RuntimeOverlay weight(
      String pool, String name, ServerConfig fileServer, int weight, Instant at) {
    PoolChanges c = changes(pool);
    Map<String, Added> added = new LinkedHashMap<>(c.added());
    Map<String, Weighted> weights = new LinkedHashMap<>(c.weights());
    Added a = added.get(name);
    if (a != null) {
      ServerConfig s = a.server();
      added.put(
          name, new Added(new ServerConfig(s.name(), s.address(), weight, s.route()), a.at(), at));
    } else if (fileServer != null && fileServer.weight() == weight) {
      weights.remove(name);
    } else if (fileServer != null) {
      weights.put(name, new Weighted(fileServer.weight(), weight, at));
    }
    return with(pool, new PoolChanges(added, c.removed(), weights));
  }

  /** These changes against a newly loaded {@code file}: what the file contradicts is dropped. */
  public Rebased rebase(TetherConfig file) {
    List<String> dropped = new ArrayList<>();
    Map<String, PoolChanges> out = new LinkedHashMap<>();
    for (Map.Entry<String, PoolChanges> e : pools.entrySet()) {
      String pool = e.getKey();
      PoolConfig pc = file.pools().get(pool);
      PoolChanges c = e.getValue();
      if (pc == null) {
        dropped.add("pool " + pool + " is no longer in the file; its runtime changes are gone");
        continue;
      }
      Map<String, ServerConfig> byName = new LinkedHashMap<>();
      pc.servers().forEach(s -> byName.put(s.name(), s));
      Map<String, Removed> removed = new LinkedHashMap<>();
      c.removed()
          .forEach(
              (name, r) -> {
                ServerConfig now = byName.get(name);
                if (r.fileServer().equals(now)) {
                  removed.put(name, r);
                } else {
                  dropped.add(
                      now == null
                          ? "pool " + pool + ": server " + name + " is no longer in the file either"
                          : "pool "
                              + pool
                              + ": server "
                              + name
                              + " was removed at run time but the file changed it, so it is back");
                }
              });
      Map<String, Weighted> weights = new LinkedHashMap<>();
      c.weights()
          .forEach(
              (name, w) -> {
                ServerConfig now = byName.get(name);
                if (now != null && now.weight() == w.fileWeight()) {
                  weights.put(name, w);
                } else {
                  dropped.add(
                      "pool "
                          + pool
                          + ": server "
                          + name
                          + (now == null
                              ? " is no longer in the file; its runtime weight is gone"
                              : " has weight "
                                  + now.weight()
                                  + " in the file now (was "
                                  + w.fileWeight()
                                  + "); the file's weight replaces the runtime weight "
                                  + w.weight()));
                }
              });
      Map<String, Added> added = new LinkedHashMap<>();
      c.added()
          .forEach(
              (name, a) -> {
                String clash = clash(pc, removed, a.server());
                if (clash == null) {
                  added.put(name, a);
                } else {
                  dropped.add(
                      "pool "
                          + pool
                          + ": the file now has "
                          + clash
                          + ", so server "
                          + name
                          + " added at run time is gone");
                }
              });
      out.put(pool, new PoolChanges(added, removed, weights));
    }
    return new Rebased(new RuntimeOverlay(out), List.copyOf(dropped));
  }

  /**
   * What of {@code pc} (other than the servers in {@code removed}) clashes with {@code s}, or
   * {@code null}.
   */
  private static String clash(PoolConfig pc, Map<String, Removed> removed, ServerConfig s) {
    String address = s.address().toString().toLowerCase(Locale.ROOT);
    for (ServerConfig f : pc.servers()) {
      if (removed.containsKey(f.name()) && removed.get(f.name()).fileServer().equals(f)) {
        continue;
      }
      if (f.name().equals(s.name())) {
        return "a server named " + s.name();
      }
      if (f.address().toString().toLowerCase(Locale.ROOT).equals(address)) {
        return "server " + f.name() + " at " + s.address();
      }
      if (f.route().equals(s.route())) {
        return "server " + f.name() + " with route " + s.route();
      }
    }
    return null;
  }

  private RuntimeOverlay with(String pool, PoolChanges c) {
    Map<String, PoolChanges> m = new LinkedHashMap<>(pools);
    m.put(pool, c);
    return new RuntimeOverlay(m);
  }

  @Override
  public String toString() {
    return "RuntimeOverlay" + pools;
  }
}
