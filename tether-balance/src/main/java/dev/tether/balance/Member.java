package dev.tether.balance;

import static java.util.Objects.requireNonNull;

/**
 * A server as it stands in one pool snapshot: its configuration, its state when the snapshot was
 * built, its live load counters (shared across snapshots) and when it last came up (for slow
 * start), as a ticker reading in nanoseconds.
 */
public record Member(Server server, ServerState state, ServerLoad load, long upSinceNanos) {

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
