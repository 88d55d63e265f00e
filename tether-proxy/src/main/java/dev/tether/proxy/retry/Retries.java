package dev.tether.proxy.retry;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.RetriesConfig;
import java.util.function.LongSupplier;

/**
 * A pool's retry policy: its rules and budget, and the one place that decides what follows a failed
 * attempt ({@link #afterFailure}).
 *
 * <p>The rules, by where the attempt failed:
 *
 * <ul>
 *   <li>{@link Failure#CONNECT}: the connection could not be opened, so the server saw nothing: any
 *       request goes to another server, once, outside the budget;
 *   <li>{@link Failure#CLOSED}: the connection closed or failed before a response head. A reused
 *       connection that the server closed as idle just as the request went out is the usual cause:
 *       an idempotent, replayable request is sent again to the same server on a fresh connection,
 *       once. Otherwise, as for a retryable status;
 *   <li>{@link Failure#STATUS}: the server answered a status the pool retries on ({@code
 *       retries.on}); the server may have acted on the request, so only an idempotent one (RFC 9110
 *       §9.2.2: a POST or PATCH is never sent twice), whose body is all still at hand, before any
 *       response byte reached the client, within {@code retries.attempts} and the retry budget;
 *   <li>{@link Failure#TIMEOUT}: the server took the request and went silent: never retried (a
 *       second server would be given the same slow work, and the client has already waited).
 * </ul>
 *
 * <p>Thread-safe: the rules are immutable and the budget is lock-free.
 *
 * <pre>{@code
 * switch (retries.afterFailure(Retries.Failure.CLOSED, 0, exchange)) {
 *   case RESEND -> ... // same server, fresh connection
 *   case ELSEWHERE -> ... // another server
 *   case BUDGET_SPENT, NONE -> ... // answer the failure
 * }
 * }</pre>
 */
public final class Retries {

  /** Where an attempt failed. */
  public enum Failure {
    /** The backend connection could not be opened. */
    CONNECT,
    /** The backend connection closed or failed before the response head. */
    CLOSED,
    /** The backend answered a status; see {@link #retriesOn}. */
    STATUS,
    /** The backend sent nothing within the server timeout. */
    TIMEOUT
  }

  /** What follows a failed attempt. */
  public enum Verdict {
    /** Send the request again to the same server, on a fresh connection. */
    RESEND,
    /** Send the request to another server (a retry budget token is taken where one is due). */
    ELSEWHERE,
    /** It would have been retried, but the pool's retry budget is spent. */
    BUDGET_SPENT,
    /** Answer the failure. */
    NONE
  }

  private final RetriesConfig config;
  private final RetryBudget budget;

  public Retries(RetriesConfig config, LongSupplier ticker) {
    this.config = requireNonNull(config, "config");
    this.budget = new RetryBudget(config.budgetRatio(), config.minPerSecond(), ticker);
  }

  /** The defaults, on the system clock. */
  public static Retries defaults() {
    return new Retries(RetriesConfig.DEFAULTS, System::nanoTime);
  }

  public RetriesConfig config() {
    return config;
  }

  public RetryBudget budget() {
    return budget;
  }

  /**
   * Whether {@code method} is idempotent (RFC 9110 §9.2.2): GET, HEAD, OPTIONS, TRACE, PUT, DELETE.
   */
  public static boolean idempotent(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
      default -> false;
    };
  }

  /** Whether a request with {@code method} may be retried after the server may have seen it. */
  public boolean mayRetry(String method) {
    return config.attempts() > 0 && idempotent(method);
  }

  /** Whether a response with {@code status} counts as a failure to retry. */
  public boolean retriesOn(int status) {
    return status >= 500 && config.statuses().contains(status);
  }

  /**
   * How many body bytes to keep for sending {@code method}'s request again: the pool's {@code
   * retries.buffer} when such a request may be retried, 0 otherwise.
   */
  public int replayLimit(String method) {
    return mayRetry(method) ? config.buffer() : 0;
  }

  /**
   * What follows {@code attempt}'s failure at {@code where} ({@code status}: the answered status
   * for {@link Failure#STATUS}, otherwise ignored). May take a token from the retry budget.
   */
  public Verdict afterFailure(Failure where, int status, Attempt attempt) {
    return switch (where) {
      case CONNECT -> attempt.connectRetries() == 0 ? Verdict.ELSEWHERE : Verdict.NONE;
      case CLOSED ->
          attempt.reusedConnection()
                  && attempt.resends() == 0
                  && attempt.idempotent()
                  && attempt.replayable()
              ? Verdict.RESEND
              : elsewhere(attempt);
      case STATUS -> retriesOn(status) && attempt.idempotent() ? elsewhere(attempt) : Verdict.NONE;
      case TIMEOUT -> Verdict.NONE;
    };
  }

  /** Another server after a failure the server may have seen: the rules, then the budget. */
  private Verdict elsewhere(Attempt a) {
    if (!a.idempotent()
        || a.responseStarted()
        || a.errorRetries() >= config.attempts()
        || !a.replayable()) {
      return Verdict.NONE;
    }
    return budget.tryRetry() ? Verdict.ELSEWHERE : Verdict.BUDGET_SPENT;
  }
}
