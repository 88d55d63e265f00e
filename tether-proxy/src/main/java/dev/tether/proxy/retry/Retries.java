package dev.tether.proxy.retry;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.RetriesConfig;
import java.util.function.LongSupplier;

/**
 * A pool's retry rules and budget: which requests may go to another server after a failure that
 * the server may have seen (idempotent methods only, RFC 9110 §9.2.2, so a POST or PATCH is never
 * sent twice), on which statuses, and how much body is kept to send again.
 */
public final class Retries {

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

  /** Whether {@code method} is idempotent (RFC 9110 §9.2.2): GET, HEAD, OPTIONS, TRACE, PUT, DELETE. */
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
}
