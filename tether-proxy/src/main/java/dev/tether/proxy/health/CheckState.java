package dev.tether.proxy.health;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.ServerState;
import dev.tether.balance.WeightOverride;
import java.util.Objects;

/**
 * What the active checks know of one server and what pool state they want for it: the rise/fall
 * health ({@link ServerHealth}) and the server's last agent report ({@code Tether-State}, {@code
 * Tether-Weight}). Pure and clock-free: {@link #record} takes a probe result and the server's
 * current pool state and answers the state to set, if any. Not thread-safe; one server's probes run
 * one after another (the checker locks it for the admin API's readers).
 *
 * <p>Precedence, highest first:
 *
 * <ol>
 *   <li>An operator's {@code DISABLED} or {@code DRAINING} (set through the admin API or by hand):
 *       the checks never change it, whatever health or agent say; they keep counting, so the
 *       server's health is known when it is enabled.
 *   <li>Failing health checks: {@code DOWN}.
 *   <li>The agent: {@code down} is {@code DOWN}, {@code drain} is {@code DRAINING}, {@code ready}
 *       (or no header) is {@code UP}. {@code ready} only undoes what the agent itself asked for.
 * </ol>
 *
 * <p>An operator action ({@link #operatorSet}) also wins over the agent answer in force at that
 * moment: an operator who enables a server the agent drained gets it {@code UP}, and the agent's
 * {@code drain} counts again only once its answer changes (the next different {@code
 * Tether-State}). The checks own a {@code DRAINING} only when they set it themselves.
 */
final class CheckState {

  /** What one probe changed. */
  record Step(
      ServerState target,
      ServerHealth.Change health,
      boolean agentChanged,
      boolean weightChanged,
      String newlyIgnored) {}

  private final ServerHealth health;
  private AgentState agent = AgentState.READY;
  private WeightOverride weight;
  private AgentState suppressed;
  private boolean ownsDrain;
  private String ignored;

  CheckState(boolean up, int rise, int fall) {
    this.health = new ServerHealth(up, rise, fall);
  }

  /**
   * A state for a new checker (a reload) that continues from {@code before}, with new rise/fall;
   * without {@code agent} (the new checks read no agent headers) the agent's requests are dropped,
   * so a drain they caused is undone.
   */
  static CheckState continuing(CheckState before, int rise, int fall, boolean agent) {
    CheckState s = new CheckState(before.health.up(), rise, fall);
    s.ownsDrain = before.ownsDrain;
    if (agent) {
      s.agent = before.agent;
      s.weight = before.weight;
      s.suppressed = before.suppressed;
      s.ignored = before.ignored;
    }
    return s;
  }

  /**
   * Records one probe result for a server whose pool state is {@code current}.
   *
   * @return what changed, with the pool state to set ({@code null}: leave it); the caller calls
   *     {@link #applied} when it did set it
   */
  Step record(HealthProbe.Result result, ServerState current) {
    requireNonNull(current, "current");
    ServerHealth.Change change = health.record(result.passed());
    boolean agentChanged = false;
    boolean weightChanged = false;
    String newlyIgnored = null;
    AgentReport report = result.agent();
    if (report != null) {
      if (report.state() != agent) {
        agent = report.state();
        suppressed = null;
        agentChanged = true;
      }
      if (!Objects.equals(report.weight(), weight)) {
        weight = report.weight();
        weightChanged = true;
      }
      if (report.ignored() != null && !report.ignored().equals(ignored)) {
        newlyIgnored = report.ignored();
      }
      ignored = report.ignored();
    }
    return new Step(target(current), change, agentChanged, weightChanged, newlyIgnored);
  }

  /**
   * The pool state the checks want for a server now at {@code current}, or {@code null} to leave
   * it.
   */
  ServerState target(ServerState current) {
    if (current == ServerState.DISABLED || (current == ServerState.DRAINING && !ownsDrain)) {
      return null;
    }
    ServerState desired = desired();
    return desired == current ? null : desired;
  }

  private ServerState desired() {
    if (!health.up()) {
      return ServerState.DOWN;
    }
    AgentState a = agent == suppressed ? AgentState.READY : agent;
    return switch (a) {
      case DOWN -> ServerState.DOWN;
      case DRAIN -> ServerState.DRAINING;
      case READY -> ServerState.UP;
    };
  }

  /** The checks set the server's pool state to {@code state}. */
  void applied(ServerState state) {
    ownsDrain = state == ServerState.DRAINING;
  }

  /**
   * An operator set the server's state: a {@code DRAINING} it now holds is the operator's, and the
   * agent answer in force is set aside until it changes.
   */
  void operatorSet() {
    ownsDrain = false;
    suppressed = agent == AgentState.READY ? null : agent;
  }

  boolean up() {
    return health.up();
  }

  AgentState agent() {
    return agent;
  }

  /** The agent's weight request, or {@code null} (the configured weight). */
  WeightOverride weight() {
    return weight;
  }

  /** Whether an operator action set the current agent answer aside. */
  boolean agentSetAside() {
    return suppressed != null && suppressed == agent;
  }

  /** Whether the pool's {@code DRAINING} was set by these checks. */
  boolean ownsDrain() {
    return ownsDrain;
  }

  /** What was wrong with the last response's agent headers, or {@code null}. */
  String ignored() {
    return ignored;
  }
}
