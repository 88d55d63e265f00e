package dev.tether.session.circuit;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A circuit breaker over calls to one backend: {@code CLOSED} lets every call through and counts
 * their outcomes; it opens after {@link CircuitBreakerSettings#failures()} consecutive failures, or
 * when at least {@link CircuitBreakerSettings#ratio()} of the last {@link
 * CircuitBreakerSettings#window()} calls failed. {@code OPEN} refuses every call for {@link
 * CircuitBreakerSettings#coolDown()}; the first call after it is the probe ({@code HALF_OPEN}): the
 * only call let through until its outcome is known. Its success closes the circuit, its failure
 * opens it for another cool-down. (Nygard, <i>Release It!</i>, "Circuit Breaker".)
 *
 * <p>Design: state is guarded by this object's lock, held only to update a few fields (no call to
 * the backend under it); listeners hear of transitions after it is released. Each permission
 * carries the generation it was given in; an outcome from an earlier generation (a slow call that
 * started before the circuit opened) is ignored, so a late success cannot close an open circuit and
 * a late failure cannot extend it. The move from {@code OPEN} to {@code HALF_OPEN} happens on the
 * first {@link #acquire} after the cool-down (there is no timer thread); {@link #state()} reports
 * what was last decided. Time is the injected clock's.
 *
 * <pre>{@code
 * CircuitBreaker.Permission p = breaker.acquire();
 * if (!p.permitted()) throw refused(p.retryAfter());
 * try { T r = call(); breaker.onSuccess(p); return r; }
 * catch (IOException e) { breaker.onFailure(p, e); throw e; }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class CircuitBreaker {

  /** Where the breaker stands; {@link #code()} is the value of the state gauge. */
  public enum State {
    CLOSED(0),
    HALF_OPEN(1),
    OPEN(2);

    private final int code;

    State(int code) {
      this.code = code;
    }

    /** 0 closed, 1 half-open, 2 open. */
    public int code() {
      return code;
    }

    /** {@code closed}, {@code half-open} or {@code open}: the name in tags and logs. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * A change of state.
   *
   * @param from the state left
   * @param to the state entered
   * @param at when, by the breaker's clock
   * @param outageSince when the circuit last opened from {@code CLOSED} (the start of this outage)
   * @param reason why, for a log line, e.g. {@code 5 consecutive failures}
   * @param cause the failure that caused it, or {@code null}
   */
  public record Transition(
      State from, State to, Instant at, Instant outageSince, String reason, Throwable cause) {}

  /**
   * The answer to {@link #acquire}: whether the call may go ahead, and if not, since when the
   * backend is considered unavailable and how long until it is tried again.
   *
   * @param permitted whether the call may be made
   * @param probe whether it is the half-open probe
   * @param since when the current outage began ({@code null} when closed)
   * @param retryAfter how long until a call may be let through again (zero when permitted)
   * @param generation which circuit period it was given in (for the outcome callbacks)
   */
  public record Permission(
      boolean permitted, boolean probe, Instant since, Duration retryAfter, long generation) {}

  /** How long callers are told to wait while the probe is under way. */
  static final Duration PROBE_RETRY = Duration.ofSeconds(1);

  private final CircuitBreakerSettings settings;
  private final Clock clock;
  private final List<Consumer<Transition>> listeners = new CopyOnWriteArrayList<>();

  // guarded by this
  private final boolean[] window;
  private int windowCount;
  private int windowNext;
  private int windowFailures;
  private int consecutive;
  private long generation;
  private long openedAtMillis;
  private Instant outageSince;
  private boolean probing;
  private volatile State state = State.CLOSED;

  /** A closed breaker judging time by {@code clock}. */
  public CircuitBreaker(CircuitBreakerSettings settings, Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.clock = requireNonNull(clock, "clock");
    this.window = new boolean[settings.window()];
  }

  /** The settings. */
  public CircuitBreakerSettings settings() {
    return settings;
  }

  /** The state last decided (see the class comment on the move to half-open). */
  public State state() {
    return state;
  }

  /** When the current outage began, or {@code null} while closed. */
  public synchronized Instant outageSince() {
    return state == State.CLOSED ? null : outageSince;
  }

  /** Calls {@code l} on every transition, after the breaker's lock is released. */
  public void addListener(Consumer<Transition> l) {
    listeners.add(requireNonNull(l, "listener"));
  }

  /** Asks to make one call; report its outcome with exactly one of the {@code on…} methods. */
  public Permission acquire() {
    Transition t = null;
    Permission p;
    synchronized (this) {
      long now = clock.millis();
      if (state == State.OPEN) {
        long left = openedAtMillis + settings.coolDown().toMillis() - now;
        if (left > 0) {
          return new Permission(false, false, outageSince, Duration.ofMillis(left), generation);
        }
        t = move(State.HALF_OPEN, now, "cool-down of " + settings.coolDown() + " over", null);
      }
      if (state == State.HALF_OPEN) {
        if (probing) {
          p = new Permission(false, false, outageSince, PROBE_RETRY, generation);
        } else {
          probing = true;
          p = new Permission(true, true, outageSince, Duration.ZERO, generation);
        }
      } else {
        p = new Permission(true, false, null, Duration.ZERO, generation);
      }
    }
    fire(t);
    return p;
  }

  /** The permitted call succeeded (the backend answered). */
  public void onSuccess(Permission p) {
    Transition t = null;
    synchronized (this) {
      if (!current(p)) {
        return;
      }
      if (p.probe()) {
        t = move(State.CLOSED, clock.millis(), "probe succeeded", null);
      } else {
        consecutive = 0;
        record(false);
      }
    }
    fire(t);
  }

  /** The permitted call failed because the backend is unreachable, slow or refusing service. */
  public void onFailure(Permission p, Throwable cause) {
    Transition t = null;
    synchronized (this) {
      if (!current(p)) {
        return;
      }
      long now = clock.millis();
      if (p.probe()) {
        t = move(State.OPEN, now, "probe failed", cause);
      } else {
        consecutive++;
        record(true);
        if (consecutive >= settings.failures()) {
          t = move(State.OPEN, now, consecutive + " consecutive failures", cause);
        } else if (windowCount == window.length
            && windowFailures >= Math.ceil(settings.ratio() * window.length - 1e-9)) {
          t =
              move(
                  State.OPEN,
                  now,
                  windowFailures + " of the last " + window.length + " calls failed",
                  cause);
        }
      }
    }
    fire(t);
  }

  /**
   * The permitted call ended with neither outcome (refused by the store's contract, e.g. a bad
   * argument, before or without telling anything about the backend's health): it is not counted,
   * and a probe's turn passes to the next call.
   */
  public void onIgnored(Permission p) {
    synchronized (this) {
      if (current(p) && p.probe()) {
        probing = false;
      }
    }
  }

  private boolean current(Permission p) {
    return p.permitted() && p.generation() == generation;
  }

  private void record(boolean failed) {
    if (windowCount == window.length) {
      if (window[windowNext]) {
        windowFailures--;
      }
    } else {
      windowCount++;
    }
    window[windowNext] = failed;
    if (failed) {
      windowFailures++;
    }
    windowNext = (windowNext + 1) % window.length;
  }

  private Transition move(State to, long now, String reason, Throwable cause) {
    State from = state;
    generation++;
    probing = false;
    Instant at = Instant.ofEpochMilli(now);
    if (to == State.OPEN) {
      openedAtMillis = now;
      if (from == State.CLOSED) {
        outageSince = at;
      }
    }
    if (to == State.CLOSED) {
      consecutive = 0;
      windowCount = 0;
      windowNext = 0;
      windowFailures = 0;
      java.util.Arrays.fill(window, false);
    }
    state = to;
    return new Transition(from, to, at, outageSince, reason, cause);
  }

  private void fire(Transition t) {
    if (t == null) {
      return;
    }
    for (Consumer<Transition> l : listeners) {
      l.accept(t);
    }
  }
}
