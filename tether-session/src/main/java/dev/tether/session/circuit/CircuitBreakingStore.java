package dev.tether.session.circuit;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.ClientSideStore;
import dev.tether.session.spi.ForwardingSessionStore;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SessionStore} that stops calling its backend while the backend is down: every operation
 * goes through a {@link CircuitBreaker}. While the circuit is open a call fails at once with {@link
 * StoreUnavailableException} (no request thread waits for a dead server's timeout); after the
 * cool-down one probe call goes through, and its success closes the circuit, so the store recovers
 * by itself when the backend returns, with no restart.
 *
 * <p>What counts as a failure is the wrapped store's {@link SessionStore#isOutage}: connection
 * refused or lost, timeouts, the backend shutting down or out of resources. Such a failure is
 * rethrown as a {@link StoreUnavailableException} with the store's exception as its cause, so the
 * application and the servlet filter see one type for "the store is down". Anything else (a bad
 * argument, an unsupported operation, an {@code ID_TAKEN} or {@code GONE} answer, a version
 * conflict) is the store answering and passes through unchanged, counted as neither.
 *
 * <p>Logs one {@code WARN} line when the circuit opens after being closed and one {@code INFO} line
 * when it closes again (with the outage's length and how many calls were refused); probes that fail
 * during a long outage are logged at {@code DEBUG}. Never logs session ids.
 *
 * <p>Put a near cache in front of it, not behind: {@code new
 * NearCacheStore(CircuitBreakingStore.wrap( redis, "redis", CircuitBreakerSettings.defaults(),
 * clock), 10_000)}. A client-side store does no I/O and cannot be wrapped. Thread-safe.
 */
public final class CircuitBreakingStore extends ForwardingSessionStore {

  private static final Logger log = LoggerFactory.getLogger(CircuitBreakingStore.class);

  private final String name;
  private final CircuitBreaker breaker;
  private final Clock clock;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong refusedAtOpen = new AtomicLong();

  private CircuitBreakingStore(
      SessionStore delegate, String name, CircuitBreaker breaker, Clock clock) {
    super(delegate);
    this.name = name;
    this.breaker = breaker;
    this.clock = clock;
    breaker.addListener(this::logTransition);
  }

  /**
   * {@code store} behind a breaker with {@code settings}; {@code store} itself when the settings
   * are disabled.
   *
   * @param name the store's name in messages and logs, e.g. {@code redis}
   * @param clock the breaker's clock (cool-down, "since")
   * @throws IllegalArgumentException for a client-side store with the settings enabled
   */
  public static SessionStore wrap(
      SessionStore store, String name, CircuitBreakerSettings settings, Clock clock) {
    requireNonNull(store, "store");
    requireNonNull(name, "name");
    requireNonNull(settings, "settings");
    requireNonNull(clock, "clock");
    if (!settings.enabled()) {
      return store;
    }
    if (store instanceof ClientSideStore) {
      throw new IllegalArgumentException(
          "session store '"
              + name
              + "' keeps sessions in the client's cookies and does no I/O;"
              + " it cannot be put behind a circuit breaker (the servlet filter must see the store"
              + " itself); allowed: circuit.enabled=false");
    }
    return new CircuitBreakingStore(store, name, new CircuitBreaker(settings, clock), clock);
  }

  /** The store behind {@code store}'s breaker when it has one, else {@code store} itself. */
  public static SessionStore unwrap(SessionStore store) {
    return store instanceof CircuitBreakingStore c ? c.delegate() : store;
  }

  /** The breaker, e.g. for metrics ({@code SessionMetrics.bindCircuitBreaker}). */
  public CircuitBreaker breaker() {
    return breaker;
  }

  /** The store's name in messages. */
  public String name() {
    return name;
  }

  /** How many calls were refused without reaching the store since it was built. */
  public long refusedCalls() {
    return refused.get();
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    return guarded("load", () -> delegate().load(id));
  }

  @Override
  public Optional<SessionRecord> load(String id, String binding) {
    return guarded("load", () -> delegate().load(id, binding));
  }

  @Override
  public OptionalLong currentVersion(String id) {
    return guarded("current-version", () -> delegate().currentVersion(id));
  }

  @Override
  public SaveResult create(SessionRecord session) {
    return guarded("create", () -> delegate().create(session));
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    return guarded("save", () -> delegate().save(delta));
  }

  @Override
  public boolean delete(String id) {
    return guarded("delete", () -> delegate().delete(id));
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    return guarded("rotate-id", () -> delegate().rotateId(oldId, newId));
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    return guarded("find-by-principal", () -> delegate().findByPrincipal(principal));
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    return guarded("sweep-expired", () -> delegate().sweepExpired(limit));
  }

  /** An outage of the wrapped store, or a {@link StoreUnavailableException} (already judged). */
  @Override
  public boolean isOutage(RuntimeException failure) {
    return failure instanceof StoreUnavailableException || delegate().isOutage(failure);
  }

  private <T> T guarded(String operation, Supplier<T> call) {
    CircuitBreaker.Permission p = breaker.acquire();
    if (!p.permitted()) {
      refused.incrementAndGet();
      throw new StoreUnavailableException(
          name,
          p.since(),
          p.retryAfter(),
          "session store '"
              + name
              + "' is unavailable since "
              + p.since()
              + " (circuit "
              + breaker.state().label()
              + "); "
              + operation
              + " refused without calling it; retry after "
              + p.retryAfter().toMillis()
              + " ms",
          null);
    }
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      if (!delegate().isOutage(e)) {
        breaker.onIgnored(p);
        throw e;
      }
      breaker.onFailure(p, e);
      Instant since = breaker.outageSince();
      Duration retry =
          breaker.state() == CircuitBreaker.State.OPEN
              ? breaker.settings().coolDown()
              : Duration.ZERO;
      // a store that names its own outages (the grid) already said what failed: not said twice
      String what =
          e instanceof StoreUnavailableException u
              ? u.getMessage()
              : "session store '" + name + "': " + operation + " failed: " + e;
      throw new StoreUnavailableException(
          name, since == null ? clock.instant() : since, retry, what, e);
    } catch (Error e) {
      breaker.onIgnored(p);
      throw e;
    }
    breaker.onSuccess(p);
    return result;
  }

  private static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  private void logTransition(CircuitBreaker.Transition t) {
    switch (t.to()) {
      case OPEN -> {
        if (t.from() == CircuitBreaker.State.CLOSED) {
          refusedAtOpen.set(refused.get());
          log.warn(
              "session store '{}' unavailable: circuit opened after {} (last: {}); calls fail at"
                  + " once for {}, then one probe call is let through",
              name,
              t.reason(),
              t.cause() == null ? "none" : t.cause().toString(),
              human(breaker.settings().coolDown()));
        } else {
          log.debug(
              "session store '{}' still unavailable: {} ({}); open for another {}",
              name,
              t.reason(),
              t.cause() == null ? "none" : t.cause().toString(),
              human(breaker.settings().coolDown()));
        }
      }
      case HALF_OPEN -> log.debug("session store '{}': {}, probing", name, t.reason());
      case CLOSED ->
          log.info(
              "session store '{}' available again: {}; circuit closed after an outage of {} ms, {} calls"
                  + " refused meanwhile",
              name,
              t.reason(),
              t.outageSince() == null ? 0 : Duration.between(t.outageSince(), t.at()).toMillis(),
              refused.get() - refusedAtOpen.get());
    }
  }
}
