package dev.tether.balance;

import static java.util.Objects.requireNonNull;

/**
 * A server as it stands in one pool snapshot: its configuration, its state when the snapshot was
 * built, its live load counters (shared across snapshots) and when it last came up (for slow
 * start), as a ticker reading in nanoseconds, or {@link #UP_FROM_START} for a server that has been
 * up since its pool was created (slow start does not apply at boot, as in HAProxy).
 */
public record Member(Server server, ServerState state, ServerLoad load, long upSinceNanos) {

  /** {@link #upSinceNanos()} of a server that has been up since the pool started: no ramp. */
  public static final long UP_FROM_START = Long.MIN_VALUE;

  public Member {
    requireNonNull(server, "server");
    requireNonNull(state, "state");
    requireNonNull(load, "load");
  }

  public String name() {
    return server.name();
  }

  public int weight() {
    return server.weight();
  }
}
