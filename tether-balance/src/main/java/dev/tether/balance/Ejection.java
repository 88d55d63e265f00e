package dev.tether.balance;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Why and until when a server is ejected by passive health checks (outlier detection). An ejected
 * server takes no new and no bound requests, like a DOWN one, but ejection is not a {@link
 * ServerState}: it is set and cleared by the outlier detector alone, never by an operator or the
 * active checks, and it ends by itself.
 *
 * @param until when the server returns unless something returns it earlier
 * @param reason what the detector saw, for people, e.g. {@code 5 consecutive 5xx responses (last
 *     503)}
 * @param count how many times in a row (after decay) the server has been ejected; 1 for the first
 */
public record Ejection(Instant until, String reason, int count) {

  public Ejection {
    requireNonNull(until, "until");
    requireNonNull(reason, "reason");
    if (count < 1) {
      throw new IllegalArgumentException("count " + count + " is below 1");
    }
  }
}
