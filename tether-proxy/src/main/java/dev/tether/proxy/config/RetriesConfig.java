package dev.tether.proxy.config;

import java.util.Set;

/**
 * Retries of a failed request on another server ({@code pools.<pool>.retries}). A connect failure
 * is always retried once, whatever the method, since nothing reached the server; these settings
 * govern the retries of requests a server may already have seen, which are made only for idempotent
 * methods (RFC 9110 §9.2.2).
 *
 * @param attempts how many times an idempotent request that failed before any response byte arrived
 *     is sent to another server ({@code attempts}, default 1, 0..3; 0 = never)
 * @param statuses response statuses that count as such a failure ({@code on-status}, default none,
 *     each 500..599), e.g. {@code [503]} for a server shutting down
 * @param buffer request body bytes kept so a request whose body already streamed can be sent again
 *     ({@code buffer}, default 64k, 0..1m); a longer body is not retried
 * @param budgetRatio retries allowed as a share of the pool's requests over the last 10 seconds
 *     ({@code budget}, default 20%), so a failing pool does not get a retry storm
 * @param minPerSecond retries allowed per second whatever the request rate ({@code
 *     min-retries-per-second}, default 10), so a quiet pool can retry at all
 */
public record RetriesConfig(
    int attempts, Set<Integer> statuses, int buffer, double budgetRatio, int minPerSecond) {

  /** Every default. */
  public static final RetriesConfig DEFAULTS = new RetriesConfig(1, Set.of(), 64 * 1024, 0.2, 10);

  public RetriesConfig {
    statuses = Set.copyOf(statuses);
  }
}
