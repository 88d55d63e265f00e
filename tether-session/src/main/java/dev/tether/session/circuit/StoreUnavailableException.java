package dev.tether.session.circuit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * A session store call refused or failed because the store is unreachable, too slow or refusing
 * service: thrown by {@link CircuitBreakingStore} without calling the store while its circuit is
 * open, and in place of the store's own exception when a call fails for such a reason (the cause is
 * then that exception). The servlet filter answers the request with {@code 503 Service Unavailable}
 * and {@code Retry-After: }{@link #retryAfter()}.
 *
 * <p>Never carries session ids.
 */
public final class StoreUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String store;
  private final Instant since;
  private final Duration retryAfter;

  /**
   * @param store the store's name, e.g. {@code redis}
   * @param since when the store became unavailable (the circuit opened, or this call failed)
   * @param retryAfter how long until the store is tried again; not negative
   * @param message what happened, naming the store
   * @param cause the store's exception, or {@code null} when the call was refused without one
   */
  public StoreUnavailableException(
      String store, Instant since, Duration retryAfter, String message, Throwable cause) {
    super(requireNonNull(message, "message"), cause);
    this.store = requireNonNull(store, "store");
    this.since = requireNonNull(since, "since");
    this.retryAfter =
        requireNonNull(retryAfter, "retryAfter").isNegative() ? Duration.ZERO : retryAfter;
  }

  /** The store's name, e.g. {@code redis}. */
  public String store() {
    return store;
  }

  /** When the store became unavailable. */
  public Instant since() {
    return since;
  }

  /** How long until the store is tried again (zero or more). */
  public Duration retryAfter() {
    return retryAfter;
  }

  /**
   * {@link #retryAfter()} in whole seconds, rounded up, at least 1: a {@code Retry-After} value.
   */
  public long retryAfterSeconds() {
    long millis = retryAfter.toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }

  /** The first {@code StoreUnavailableException} in {@code t}'s cause chain, or {@code null}. */
  public static StoreUnavailableException find(Throwable t) {
    Throwable c = t;
    for (int depth = 0; c != null && depth < 32; depth++, c = c.getCause()) {
      if (c instanceof StoreUnavailableException u) {
        return u;
      }
    }
    return null;
  }
}
