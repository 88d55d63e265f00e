package dev.tether.proxy.drain;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.DrainMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the drain of one server stands.
 *
 * @param pool the pool
 * @param server the server
 * @param state the server's state now; a drain is only under way while it is {@code DRAINING}
 * @param sessions live sessions still bound to it (affinity keys seen within the idle window)
 * @param inFlight requests dispatched to it and not finished
 * @param tunnels open tunnels (WebSocket and other upgrades) to it
 * @param mode the pool's drain mode
 * @param since when the drain started, or {@code null} when the server is not draining
 * @param deadline when the drain should be over, or {@code null} for none
 * @param overdue the deadline has passed and the drain is not done
 */
public record DrainStatus(
    String pool,
    String server,
    ServerState state,
    long sessions,
    int inFlight,
    int tunnels,
    DrainMode mode,
    Instant since,
    Instant deadline,
    boolean overdue) {

  public DrainStatus {
    requireNonNull(pool, "pool");
    requireNonNull(server, "server");
    requireNonNull(state, "state");
    requireNonNull(mode, "mode");
  }

  /** Whether the server is draining with nothing left on it: it can be stopped without harm. */
  public boolean done() {
    return state == ServerState.DRAINING && sessions == 0 && inFlight == 0 && tunnels == 0;
  }

  /**
   * The admin API's answer: {@code {"pool", "server", "state", "done", "sessions", "inFlight",
   * "tunnels", "mode", "since", "deadline", "overdue"}}, times as ISO-8601 or {@code null}.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pool", pool);
    m.put("server", server);
    m.put("state", state.name());
    m.put("done", done());
    m.put("sessions", sessions);
    m.put("inFlight", inFlight);
    m.put("tunnels", tunnels);
    m.put("mode", mode.name().toLowerCase(Locale.ROOT));
    m.put("since", since == null ? null : since.toString());
    m.put("deadline", deadline == null ? null : deadline.toString());
    m.put("overdue", overdue);
    return m;
  }
}
