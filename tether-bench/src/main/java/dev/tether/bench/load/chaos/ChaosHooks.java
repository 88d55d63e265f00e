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
   * Action {@code index} took effect at {@code nanos}: watch how long until every user is served
   * again.
   */
  void acted(int index, long nanos);
}
