package dev.tether.bench.load.chaos;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One scheduled action.
 *
 * @param at time from the start of the run
 * @param verb what to do
 * @param target the instance or server name; {@code null} for {@link Verb#KILL_SERVING} and {@link
 *     Verb#START_KILLED}
 * @param address for {@code add NAME=HOST:PORT}, the existing server's address; else {@code null}
 */
public record ChaosAction(Duration at, Verb verb, String target, String address) {

  /** What an action does. */
  public enum Verb {
    /** Stop a demo instance: {@code POST /api/demo/instances/{name}/kill}. */
    KILL("kill"),
    /** Kill the instance serving the most users at that moment. */
    KILL_SERVING("kill-serving"),
    /** Start a demo instance again. */
    START("start"),
    /** Start again the instance the last kill or kill-serving of this run killed. */
    START_KILLED("start-killed"),
    /** Drain a server of the pool. */
    DRAIN("drain"),
    /** Enable a server of the pool. */
    ENABLE("enable"),
    /** Disable a server of the pool. */
    DISABLE("disable"),
    /** Add a demo instance, or with an address an existing server. */
    ADD("add");

    private final String word;

    Verb(String word) {
      this.word = word;
    }

    /** The word in a schedule. */
    public String word() {
      return word;
    }
  }

  public ChaosAction {
    requireNonNull(at, "at");
    requireNonNull(verb, "verb");
  }

  @Override
  public String toString() {
    return "at="
        + ChaosSchedule.format(at)
        + " "
        + verb.word()
        + (target != null ? " " + target : "")
        + (address != null ? "=" + address : "");
  }
}
