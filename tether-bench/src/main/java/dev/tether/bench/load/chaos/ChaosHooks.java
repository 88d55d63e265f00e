package dev.tether.bench.load.chaos;

/** What the chaos schedule needs from the running load. Thread-safe. */
public interface ChaosHooks {

  /** The instance serving the most users right now, or {@code null} when none answered yet. */
  String busiestInstance();

  /** {@code instance} is about to be killed: requests in flight on it are marked. */
  void killing(String instance);

  /** Action {@code index} took effect at {@code nanos}: watch how long until every user is served again. */
  void acted(int index, long nanos);
}
