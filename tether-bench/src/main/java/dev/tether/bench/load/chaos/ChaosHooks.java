package dev.tether.bench.load.chaos;

/** What the chaos schedule needs from the running load. Thread-safe. */
public interface ChaosHooks {

  /** The instance serving the most users right now, or {@code null} when none answered yet. */
  String busiestInstance();

  /**
   * {@code instance} is about to be killed: a POST on it that is in flight at any moment from now
   * until {@link #killDone} and then fails counts as in flight at the kill.
   */
  void killing(String instance);

  /** The admin API answered the kill of {@code instance}. */
  void killDone(String instance);

  /**
   * An action is being sent: who is served from now on no longer counts for the action before. Its
   * effect (a server back or gone) can reach users before the admin API's answer reaches the
   * schedule, and until that answer it is unknown on which side of the effect a user was served.
   */
  void acting();

  /**
   * The admin API answered action {@code index} at {@code nanos}: if {@code ok}, watch how long
   * until every user is served again; if not, the action before is watched again.
   */
  void acted(int index, boolean ok, long nanos);
}
