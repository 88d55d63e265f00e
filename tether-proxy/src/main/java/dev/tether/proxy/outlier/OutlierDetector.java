package dev.tether.proxy.outlier;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Ejection;
import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.PoolSnapshot;
import dev.tether.proxy.config.OutlierConfig;
import dev.tether.proxy.route.Upstream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive health checks of one pool (Envoy's outlier detection, HAProxy's {@code observe layer7}):
 * the data plane reports each request's outcome, and a server that fails a configured number of
 * requests in a row is ejected for a while.
 *
 * <p>Design. Outcomes arrive on event loops, so reporting is lock-free: per server three atomic
 * counters of consecutive connect failures, 5xx responses and timeouts, in an immutable map read
 * through one volatile field; a success writes only counters that are not zero already, so a
 * healthy pool costs one map lookup and three plain reads per request. The thread whose increment
 * reaches a threshold (exactly equal, so only one) takes this detector's lock and, if the server is
 * not ejected yet and the pool's cap allows, ejects it through {@link Pool#eject} (a new immutable
 * snapshot). A connect failure counts only connect failures; a 5xx or a timeout shows the server
 * accepts connections and clears the connect-failure run; any other response clears all three. 5xx
 * means 500..599 except 501 and 505, which answer the request, not the server's health (as
 * HAProxy's layer 7 observation does).
 *
 * <p>Ejection length: the n-th ejection in a row lasts {@code base × 2^(n-1)}, capped at {@code
 * max}; the row shortens by one for each full base time the server has since stayed in service
 * (Envoy decrements its multiplier once per healthy interval in the same way), and never grows past
 * the first length that reaches the cap. The cap on ejected servers is {@code floor(servers ×
 * share)} but at least one (Envoy's rule, so a small pool can eject at all); a server that reaches
 * a threshold while the cap is full is not ejected and its run starts over.
 *
 * <p>A server returns when its time is up (a task on the injected {@link Scheduler}) or at once
 * when the active health check passes it ({@link #probed}). Every ejection and return is logged at
 * INFO and counted ({@code tether.outlier.ejections{pool,server,reason}}, {@code
 * tether.outlier.returns{pool,server,cause}}).
 *
 * <p>Thread-safe. The lock order is detector, then pool; the pool never calls back into a detector.
 */
public final class OutlierDetector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

  /** What the detector counts; the tag is the {@code reason} of the ejection counter. */
  public enum Kind {
    CONNECT_FAILURE("connect-failure"),
    FIVE_XX("5xx"),
    TIMEOUT("timeout");

    private final String tag;

    Kind(String tag) {
      this.tag = tag;
    }

    /** The metric tag, e.g. {@code 5xx}. */
    public String tag() {
      return tag;
    }
  }

  /**
   * Time and side effects of a detector.
   *
   * @param clock wall time for ejection deadlines and decay
   * @param scheduler runs the returns
   * @param registry where the ejection and return counters go
   */
  public record Env(Clock clock, Scheduler scheduler, MeterRegistry registry) {
    public Env {
      requireNonNull(clock, "clock");
      requireNonNull(scheduler, "scheduler");
      requireNonNull(registry, "registry");
    }
  }

  /** Consecutive failures of one server; lock-free. */
  private static final class Counters {
    final AtomicInteger connect = new AtomicInteger();
    final AtomicInteger fivexx = new AtomicInteger();
    final AtomicInteger timeouts = new AtomicInteger();

    void clear(AtomicInteger c) {
      if (c.get() != 0) {
        c.set(0);
      }
    }

    void clearAll() {
      clear(connect);
      clear(fivexx);
      clear(timeouts);
    }
  }

  /** What the detector remembers of one server between ejections; guarded by the detector. */
  private static final class History {
    int row;
    long ejectedAtMillis;
    long returnedAtMillis;
    Ejection current;
    Runnable cancel;

    /** A refusal by the cap was logged at INFO since this server's last ejection. */
    boolean capLogged;
  }

  private final Pool pool;
  private final OutlierConfig config;
  private final Env env;
  private final int maxRow;
  private volatile Map<String, Counters> counters = Map.of();
  private final Map<String, History> history = new HashMap<>();
  private boolean closed;

  /**
   * A detector of {@code pool}'s servers; call {@link #serversChanged} after the pool's servers
   * change.
   */
  public OutlierDetector(Pool pool, OutlierConfig config, Env env) {
    this.pool = requireNonNull(pool, "pool");
    this.config = requireNonNull(config, "config");
    this.env = requireNonNull(env, "env");
    int row = 1;
    while (row < 62 && length(row).compareTo(config.maxEjection()) < 0) {
      row++;
    }
    this.maxRow = row;
    serversChanged();
  }

  public Pool pool() {
    return pool;
  }

  public OutlierConfig config() {
    return config;
  }

  // ---- data plane: one call per outcome, null-tolerant so each call site is one line ----------

  /**
   * Reports a failed connect to {@code m} of {@code upstream}'s pool; nothing without a detector.
   */
  public static void connectFailed(Upstream upstream, Member m) {
    OutlierDetector d = upstream == null ? null : upstream.outlier();
    if (d != null && m != null) {
      d.connectFailed(m.name());
    }
  }

  /** Reports the status of a response head from {@code m}; nothing without a detector. */
  public static void responded(Upstream upstream, Member m, int status) {
    OutlierDetector d = upstream == null ? null : upstream.outlier();
    if (d != null && m != null) {
      d.responded(m.name(), status);
    }
  }

  /**
   * Reports that {@code m} did not answer within the server timeout; nothing without a detector.
   */
  public static void timedOut(Upstream upstream, Member m) {
    OutlierDetector d = upstream == null ? null : upstream.outlier();
    if (d != null && m != null) {
      d.timedOut(m.name());
    }
  }

  /** A connect to {@code server} failed. */
  public void connectFailed(String server) {
    Counters c = counters.get(server);
    if (c != null && reached(c.connect, config.consecutiveConnectFailures())) {
      trip(server, Kind.CONNECT_FAILURE, 0);
    }
  }

  /** {@code server} answered with {@code status} (the final response head, 101 included). */
  public void responded(String server, int status) {
    Counters c = counters.get(server);
    if (c == null) {
      return;
    }
    if (!counts5xx(status)) {
      c.clearAll();
      return;
    }
    c.clear(c.connect);
    if (reached(c.fivexx, config.consecutive5xx())) {
      trip(server, Kind.FIVE_XX, status);
    }
  }

  /** {@code server} did not answer (or stalled) within the server timeout. */
  public void timedOut(String server) {
    Counters c = counters.get(server);
    if (c == null) {
      return;
    }
    c.clear(c.connect);
    if (reached(c.timeouts, config.consecutiveTimeouts())) {
      trip(server, Kind.TIMEOUT, 0);
    }
  }

  /** Whether {@code status} counts as a 5xx failure: 500..599 but 501 and 505. */
  public static boolean counts5xx(int status) {
    return status >= 500 && status <= 599 && status != 501 && status != 505;
  }

  private static boolean reached(AtomicInteger c, int threshold) {
    return threshold > 0 && c.incrementAndGet() == threshold;
  }

  // ---- control plane ---------------------------------------------------------------------

  /**
   * The active health check probed {@code server}: a pass returns it at once if it is ejected. Safe
   * to call from any thread; a failed probe changes nothing here.
   */
  public void probed(String server, boolean passed) {
    if (!passed) {
      return;
    }
    Member m = pool.snapshot().member(server);
    if (m != null && m.ejected()) {
      synchronized (this) {
        History h = history.get(server);
        if (h != null && h.current != null) {
          restore(server, h, "active-check", "it passed an active health check");
        }
      }
    }
  }

  /**
   * Follows a change of the pool's servers: new servers get counters, removed ones are forgotten.
   */
  public synchronized void serversChanged() {
    Map<String, Counters> before = counters;
    Map<String, Counters> next = new HashMap<>();
    for (Member m : pool.snapshot().members()) {
      next.put(m.name(), before.getOrDefault(m.name(), new Counters()));
    }
    counters = Map.copyOf(next);
    history
        .entrySet()
        .removeIf(
            e -> {
              if (next.containsKey(e.getKey())) {
                return false;
              }
              if (e.getValue().cancel != null) {
                e.getValue().cancel.run();
              }
              return true;
            });
  }

  /**
   * Ejects nothing more, cancels the pending returns and returns every server this detector
   * ejected.
   */
  @Override
  public synchronized void close() {
    closed = true;
    for (Map.Entry<String, History> e : history.entrySet()) {
      History h = e.getValue();
      if (h.cancel != null) {
        h.cancel.run();
        h.cancel = null;
      }
      if (h.current != null) {
        h.current = null;
        pool.restore(e.getKey());
      }
    }
  }

  private synchronized void trip(String server, Kind kind, int status) {
    Counters c = counters.get(server);
    if (c != null) {
      c.clearAll();
    }
    if (closed) {
      return;
    }
    PoolSnapshot s = pool.snapshot();
    Member m = s.member(server);
    if (m == null || m.ejected()) {
      return;
    }
    int cap = Math.max(1, s.members().size() * config.maxEjectedPercent() / 100);
    String reason = reason(kind, status);
    History h = history.computeIfAbsent(server, k -> new History());
    if (s.ejectedCount() >= cap) {
      // INFO once until the server is next ejected: a failing server refused by the cap would
      // otherwise log once per run, many times a second under load
      boolean first = !h.capLogged;
      h.capLogged = true;
      String msg =
          "pool {}: server {} is not ejected ({}): {} of {} servers are ejected already, the most max-ejected-share {}% allows";
      Object[] args = {
        pool.name(),
        server,
        reason,
        s.ejectedCount(),
        s.members().size(),
        config.maxEjectedPercent()
      };
      if (first) {
        log.info(msg, args);
      } else {
        log.debug(msg, args);
      }
      return;
    }
    h.capLogged = false;
    long now = env.clock().millis();
    h.row = Math.min(decayed(h, now) + 1, maxRow);
    Duration length = length(h.row);
    if (length.compareTo(config.maxEjection()) > 0) {
      length = config.maxEjection();
    }
    Ejection e = new Ejection(Instant.ofEpochMilli(now).plus(length), reason, h.row);
    try {
      pool.eject(server, e);
    } catch (NoSuchElementException gone) {
      return;
    }
    h.current = e;
    h.ejectedAtMillis = now;
    h.cancel = env.scheduler().schedule(() -> expire(server, e), length);
    log.info(
        "pool {}: server {} ejected for {}: {} (ejection {} in a row)",
        pool.name(),
        server,
        format(length),
        reason,
        h.row);
    Counter.builder("tether.outlier.ejections")
        .description("servers ejected by passive health checks")
        .tags("pool", pool.name(), "server", server, "reason", kind.tag())
        .register(env.registry())
        .increment();
  }

  private synchronized void expire(String server, Ejection e) {
    History h = history.get(server);
    if (h != null && h.current == e) {
      restore(server, h, "time", "its ejection time is up");
    }
  }

  private void restore(String server, History h, String cause, String why) {
    if (h.cancel != null) {
      h.cancel.run();
      h.cancel = null;
    }
    Ejection e = h.current;
    h.current = null;
    long now = env.clock().millis();
    h.returnedAtMillis = now;
    Counters c = counters.get(server);
    if (c != null) {
      c.clearAll();
    }
    pool.restore(server);
    long ejectedMillis = Math.max(0, now - h.ejectedAtMillis);
    log.info(
        "pool {}: server {} returns: {} (ejected for {}: {})",
        pool.name(),
        server,
        why,
        format(Duration.ofMillis(ejectedMillis)),
        e.reason());
    Counter.builder("tether.outlier.returns")
        .description("ejected servers returned to service")
        .tags("pool", pool.name(), "server", server, "cause", cause)
        .register(env.registry())
        .increment();
  }

  private String reason(Kind kind, int status) {
    return switch (kind) {
      case CONNECT_FAILURE -> run(config.consecutiveConnectFailures(), "connect failure");
      case FIVE_XX -> run(config.consecutive5xx(), "5xx response") + " (last " + status + ")";
      case TIMEOUT -> run(config.consecutiveTimeouts(), "timeout");
    };
  }

  private static String run(int n, String what) {
    return n == 1 ? "1 " + what : n + " consecutive " + what + "s";
  }

  /** The row length after decay: one less per full base time in service since the last return. */
  private int decayed(History h, long now) {
    if (h.row == 0) {
      return 0;
    }
    long base = Math.max(1, config.baseEjection().toMillis());
    long healthyFor = Math.max(0, now - h.returnedAtMillis);
    return (int) Math.max(0, h.row - healthyFor / base);
  }

  /** {@code base × 2^(row-1)}, not capped. */
  private Duration length(int row) {
    return config.baseEjection().multipliedBy(1L << Math.min(row - 1, 40));
  }

  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s % 60 != 0 || s == 0) {
      return s + "s";
    }
    return s % 3600 == 0 ? s / 3600 + "h" : s / 60 + "m";
  }
}
