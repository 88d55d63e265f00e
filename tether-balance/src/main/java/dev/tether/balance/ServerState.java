package dev.tether.balance;

/** The administrative and health state of a server, as pickers and affinity policies see it. */
public enum ServerState {
  /** Healthy and enabled: takes new and existing sessions. */
  UP,
  /** Failed its health checks: takes nothing. */
  DOWN,
  /** Keeps the sessions already bound to it, takes no new ones. */
  DRAINING,
  /** Switched off by an operator: takes nothing. */
  DISABLED;

  /** Whether a picker may choose this server for work that is not bound to a server yet. */
  public boolean acceptsNew() {
    return this == UP;
  }

  /** Whether requests already bound to this server (by affinity) may still go to it. */
  public boolean acceptsBound() {
    return this == UP || this == DRAINING;
  }
}
