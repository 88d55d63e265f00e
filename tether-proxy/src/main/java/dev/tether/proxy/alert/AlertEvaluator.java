package dev.tether.proxy.alert;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.ServerState;
import dev.tether.proxy.analytics.PoolSignals;
import dev.tether.proxy.config.AlertRuleConfig;
import dev.tether.proxy.config.AlertRuleConfig.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the alert rules over the pools' {@link PoolSignals}: a condition that holds for the
 * rule's {@code for} duration fires the alert (logged and notified once); when it stops holding,
 * the alert resolves (logged and notified once). A condition that stops holding before {@code for}
 * has passed leaves no trace.
 *
 * <p>Conditions: {@code birth-rate-spike}: the last minute's birth rate above factor × the rate
 * over {@code window}; {@code spread-imbalance}: imbalance above factor; {@code server-down}: a
 * server DOWN (one alert per server); {@code error-rate}: 5xx share over {@code window} above
 * share; {@code session-size}: an instance's p99 session size above limit (one alert per server). A
 * figure that needs history and has none yet (right after start or reload) leaves the alert's state
 * as it is; an imbalance with no sessions, an instance not scraped, count as "not holding".
 *
 * <p>Not thread-safe by itself: {@link #evaluate} and {@link #rules} are called by one thread at a
 * time (they are synchronized); {@link #active} may be called from any thread.
 */
public final class AlertEvaluator {

  private static final Logger log = LoggerFactory.getLogger(AlertEvaluator.class);
  private static final Duration CURRENT = Duration.ofMinutes(1);

  /** One condition seen now: which server, the figure, and whether it holds (null = unknown). */
  private record Seen(String server, double value, Boolean holds, String message) {}

  /** The state of one alert identity (rule, pool, server). */
  private static final class State {
    final AlertRuleConfig rule;
    final String pool;
    final String server;
    final Instant since;
    Alert fired;
    Alert latest;

    State(AlertRuleConfig rule, String pool, String server, Instant since) {
      this.rule = rule;
      this.pool = pool;
      this.server = server;
      this.since = since;
    }
  }

  private final Clock clock;
  private final Supplier<List<PoolSignals>> signals;
  private List<AlertRuleConfig> rules = List.of();
  private AlertNotifier notifier;
  private final Map<String, State> states = new LinkedHashMap<>();
  private volatile List<Alert> active = List.of();

  /**
   * @param signals the pools' current signals, read at every evaluation
   * @param notifier told of every firing and resolution
   */
  public AlertEvaluator(Clock clock, Supplier<List<PoolSignals>> signals, AlertNotifier notifier) {
    this.clock = requireNonNull(clock, "clock");
    this.signals = requireNonNull(signals, "signals");
    this.notifier = requireNonNull(notifier, "notifier");
  }

  /**
   * Replaces the rules (a reload). Alerts of rules that are unchanged keep their state; those of
   * rules removed or changed resolve now if they had fired.
   *
   * @param next the new rules
   * @param nextNotifier who hears of alerts from now on (the old one is closed if different)
   */
  public synchronized void rules(List<AlertRuleConfig> next, AlertNotifier nextNotifier) {
    Set<AlertRuleConfig> keep = new HashSet<>(next);
    Instant now = clock.instant();
    states
        .values()
        .removeIf(
            s -> {
              if (keep.contains(s.rule)) {
                return false;
              }
              if (s.fired != null) {
                resolve(s, now);
              }
              return true;
            });
    if (nextNotifier != notifier) {
      notifier.close();
      notifier = requireNonNull(nextNotifier, "nextNotifier");
    }
    this.rules = List.copyOf(next);
    publish();
  }

  /** Evaluates every rule now. */
  public synchronized void evaluate() {
    Instant now = clock.instant();
    Set<String> seenKeys = new HashSet<>();
    for (AlertRuleConfig rule : rules) {
      for (PoolSignals p : signals.get()) {
        if (rule.pool() != null && !rule.pool().equals(p.pool())) {
          continue;
        }
        for (Seen s : observe(rule, p)) {
          String key = rule.name() + "\u0000" + p.pool() + "\u0000" + s.server();
          seenKeys.add(key);
          step(key, rule, p.pool(), s, now);
        }
      }
    }
    // Identities no longer observed (a server removed, a pool gone): resolve.
    states
        .entrySet()
        .removeIf(
            e -> {
              if (seenKeys.contains(e.getKey())) {
                return false;
              }
              if (e.getValue().fired != null) {
                resolve(e.getValue(), now);
              }
              return true;
            });
    publish();
  }

  private void step(String key, AlertRuleConfig rule, String pool, Seen s, Instant now) {
    State st = states.get(key);
    if (s.holds() == null) {
      return; // unknown: no change
    }
    if (!s.holds()) {
      if (st != null) {
        if (st.fired != null) {
          resolve(st, now);
        }
        states.remove(key);
      }
      return;
    }
    if (st == null) {
      st = new State(rule, pool, s.server(), now);
      states.put(key, st);
    }
    Duration held = Duration.between(st.since, now);
    Double threshold = rule.kind() == Kind.SERVER_DOWN ? null : rule.threshold();
    st.latest =
        new Alert(
            rule.kind().configName(),
            rule.name(),
            pool,
            s.server(),
            st.since,
            s.value(),
            threshold,
            s.message() + " for " + format(held));
    if (st.fired == null && held.compareTo(rule.forDuration()) >= 0) {
      st.fired = st.latest;
      log.warn("alert {} firing: {}", rule.name(), st.fired.message());
      notifier.fired(st.fired, now);
    }
  }

  private void resolve(State st, Instant now) {
    log.info(
        "alert {} resolved: {} (fired since {})", st.rule.name(), st.latest.message(), st.since);
    notifier.resolved(st.latest, now);
  }

  private void publish() {
    List<Alert> out = new ArrayList<>();
    for (State s : states.values()) {
      if (s.fired != null) {
        out.add(s.latest);
      }
    }
    active = List.copyOf(out);
  }

  /** The alerts firing now, in the order they began. */
  public List<Alert> active() {
    return active;
  }

  private static List<Seen> observe(AlertRuleConfig rule, PoolSignals p) {
    double t = rule.threshold();
    String pool = "pool " + p.pool() + ": ";
    return switch (rule.kind()) {
      case SERVER_DOWN -> {
        List<Seen> out = new ArrayList<>();
        p.states()
            .forEach(
                (server, state) ->
                    out.add(
                        new Seen(
                            server,
                            state == ServerState.DOWN ? 1 : 0,
                            state == ServerState.DOWN,
                            pool + "server " + server + " is DOWN")));
        yield out;
      }
      case SPREAD_IMBALANCE -> {
        double v = p.imbalance();
        yield List.of(
            new Seen(
                null,
                v,
                !Double.isNaN(v) && v > t,
                pool + "live sessions max/mean " + fmt(v) + " above " + fmt(t)));
      }
      case ERROR_RATE -> {
        double v = p.errorShare(rule.window());
        yield List.of(
            new Seen(
                null,
                v,
                Double.isNaN(v) ? null : v > t,
                pool
                    + "5xx share "
                    + fmt(v)
                    + " over "
                    + format(rule.window())
                    + " above "
                    + fmt(t)));
      }
      case BIRTH_RATE_SPIKE -> {
        double current = p.birthRate(CURRENT);
        double average = p.birthRate(rule.window());
        Boolean holds =
            Double.isNaN(current) || Double.isNaN(average) ? null : current > t * average;
        double ratio =
            average > 0 ? current / average : (current > 0 ? Double.POSITIVE_INFINITY : 0);
        yield List.of(
            new Seen(
                null,
                ratio,
                holds,
                pool
                    + "birth rate "
                    + fmt(current)
                    + "/s is "
                    + fmt(ratio)
                    + " x its "
                    + format(rule.window())
                    + " average "
                    + fmt(average)
                    + "/s, above "
                    + fmt(t)));
      }
      case SESSION_SIZE -> {
        List<Seen> out = new ArrayList<>();
        Map<String, Double> sizes = p.sessionSizeP99();
        for (String server : p.states().keySet()) {
          Double v = sizes.get(server);
          out.add(
              new Seen(
                  server,
                  v == null ? Double.NaN : v,
                  v != null && v > t,
                  pool
                      + "server "
                      + server
                      + " p99 session size "
                      + fmt(v == null ? Double.NaN : v)
                      + " bytes above "
                      + fmt(t)));
        }
        yield out;
      }
    };
  }

  private static String fmt(double d) {
    if (Double.isNaN(d)) {
      return "n/a";
    }
    if (Double.isInfinite(d)) {
      return "inf";
    }
    return d == Math.rint(d) && Math.abs(d) < 1e15
        ? String.format(Locale.ROOT, "%.1f", d)
        : String.format(Locale.ROOT, "%.3g", d);
  }

  static String format(Duration d) {
    long s = d.toSeconds();
    if (s == 0 && !d.isZero()) {
      return d.toMillis() + "ms";
    }
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
