package dev.tether.proxy.admin;

import static java.util.Objects.requireNonNull;

/**
 * Whether the balancer takes traffic, for {@code GET /ready}: ready once its data port listens with
 * a valid configuration; not ready before that and from the moment it starts shutting down.
 *
 * @param ready whether to send it traffic
 * @param detail for people: where it listens, or why it is not ready
 */
public record Readiness(boolean ready, String detail) {

  public Readiness {
    requireNonNull(detail, "detail");
  }

  /** Ready, listening at {@code where}. */
  public static Readiness listening(String where) {
    return new Readiness(true, "listening on " + where);
  }

  /** Not ready, because of {@code why}. */
  public static Readiness notReady(String why) {
    return new Readiness(false, why);
  }
}
