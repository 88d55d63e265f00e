package dev.tether.balance.affinity;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import java.time.Duration;

/**
 * How a pool's affinity treats sessions bound to a draining server.
 *
 * <pre>{@code
 * policy.drainRules(new DrainRules(DrainMode.BOUNDARY, Duration.ofSeconds(30)));
 * }</pre>
 *
 * @param mode soft, hard or boundary
 * @param boundaryIdle for {@link DrainMode#BOUNDARY}: how long a session must have been idle before
 *     its next request moves it
 */
public record DrainRules(DrainMode mode, Duration boundaryIdle) {

  /** Soft drain: bound sessions stay until they idle out. */
  public static final DrainRules SOFT = new DrainRules(DrainMode.SOFT, Duration.ofSeconds(30));

  public DrainRules {
    requireNonNull(mode, "mode");
    requireNonNull(boundaryIdle, "boundaryIdle");
    if (boundaryIdle.isNegative()) {
      throw new IllegalArgumentException("boundary idle " + boundaryIdle + " is negative");
    }
  }

  /**
   * Whether a request bound to {@code bound}, whose session has been idle for {@code idleNanos},
   * should be re-pinned to another server: {@code bound} is draining (takes bound work, no new
   * work) and the mode says so.
   */
  public boolean repin(Member bound, long idleNanos) {
    if (mode == DrainMode.SOFT || !bound.acceptsBound() || bound.acceptsNew()) {
      return false;
    }
    return mode == DrainMode.HARD || idleNanos >= boundaryIdle.toNanos();
  }
}
