package dev.tether.balance;

import static java.util.Objects.requireNonNull;

/**
 * A server as it stands in one pool snapshot: its configuration, its state when the snapshot was
 * built, its live load counters (shared across snapshots) and when it last came up (for slow
 * start), as a ticker reading in nanoseconds, or {@link #UP_FROM_START} for a server that has been
 * up since its pool was created (slow start does not apply at boot, as in HAProxy); its outlier
 * ejection ({@code null} when not ejected) and whether the snapshot is in panic mode.
 *
 * <p>Pickers and affinity policies ask {@link #acceptsNew()} and {@link #acceptsBound()}, which
 * combine state, ejection and panic, rather than the state alone.
 */
public record Member(
    Server server,
    ServerState state,
    ServerLoad load,
    long upSinceNanos,
    Ejection ejection,
    boolean panic) {

  /** {@link #upSinceNanos()} of a server that has been up since the pool started: no ramp. */
  public static final long UP_FROM_START = Long.MIN_VALUE;

  public Member {
    requireNonNull(server, "server");
    requireNonNull(state, "state");
    requireNonNull(load, "load");
  }

  /** A member that is not ejected, in a pool that is not in panic. */
  public Member(Server server, ServerState state, ServerLoad load, long upSinceNanos) {
    this(server, state, load, upSinceNanos, null, false);
  }

  public String name() {
    return server.name();
  }

  public int weight() {
    return server.weight();
  }

  /** Whether outlier detection has ejected this server. */
  public boolean ejected() {
    return ejection != null;
  }

  /** Whether the server counts as healthy for panic mode: {@code UP} and not ejected. */
  public boolean healthy() {
    return state == ServerState.UP && ejection == null;
  }

  /**
   * Whether a picker may choose this server for work not bound to a server yet: {@code UP} and not
   * ejected; in panic mode health is ignored, so {@code DOWN} and ejected servers qualify too
   * (operator states {@code DRAINING} and {@code DISABLED} still hold).
   */
  public boolean acceptsNew() {
    if (panic) {
      return state == ServerState.UP || state == ServerState.DOWN;
    }
    return ejection == null && state.acceptsNew();
  }

  /**
   * Whether requests already bound to this server may still go to it: {@code UP} or {@code
   * DRAINING} and not ejected; in panic mode anything but {@code DISABLED}.
   */
  public boolean acceptsBound() {
    if (panic) {
      return state != ServerState.DISABLED;
    }
    return ejection == null && state.acceptsBound();
  }
}
