package dev.tether.balance.affinity.token;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long an affinity token lives, enforced by Tether from the signed times inside it.
 *
 * @param idle a token not refreshed for longer than this is expired
 * @param absolute a token issued longer ago than this is expired, however active
 * @param refresh the last-seen time is rewritten (a new cookie sent) at most this often
 */
public record TokenLifetime(Duration idle, Duration absolute, Duration refresh) {

  public TokenLifetime {
    requireNonNull(idle, "idle");
    requireNonNull(absolute, "absolute");
    requireNonNull(refresh, "refresh");
    if (idle.toSeconds() < 1 || absolute.toSeconds() < 1 || refresh.isNegative()) {
      throw new IllegalArgumentException(
          "token lifetimes must be at least one second (idle "
              + idle
              + ", absolute "
              + absolute
              + ") and the refresh interval not negative ("
              + refresh
              + ")");
    }
    if (refresh.compareTo(idle) >= 0) {
      throw new IllegalArgumentException(
          "refresh interval " + refresh + " must be shorter than the idle timeout " + idle);
    }
  }
}
