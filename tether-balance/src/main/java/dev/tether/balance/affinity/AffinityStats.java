package dev.tether.balance.affinity;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.affinity.table.SessionTracker;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one pool's affinity has done: decisions by outcome, sessions turned away from an over-loaded
 * server (bounded load), and live sessions per server. Thread-safe; counting is a {@link LongAdder}
 * increment.
 */
public final class AffinityStats {

  private final LongAdder[] outcomes = new LongAdder[AffinityOutcome.values().length];
  private final LongAdder shed = new LongAdder();
  private final SessionTracker sessions;

  public AffinityStats(SessionTracker sessions) {
    this.sessions = requireNonNull(sessions, "sessions");
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new LongAdder();
    }
  }

  /** Counts one decision ending with {@code o}; called by the policy that made it. */
  public void record(AffinityOutcome o) {
    outcomes[o.ordinal()].increment();
  }

  /** Counts one session moved off a server to shed its load; called by the policy. */
  public void countShed() {
    shed.increment();
  }

  /** Decisions that ended with {@code outcome}. */
  public long count(AffinityOutcome outcome) {
    return outcomes[outcome.ordinal()].sum();
  }

  /** All outcome counts. */
  public Map<AffinityOutcome, Long> outcomes() {
    Map<AffinityOutcome, Long> m = new EnumMap<>(AffinityOutcome.class);
    for (AffinityOutcome o : AffinityOutcome.values()) {
      m.put(o, count(o));
    }
    return m;
  }

  /** New sessions sent elsewhere because their first choice held more than its share. */
  public long shed() {
    return shed.sum();
  }

  /** Live sessions per server. */
  public SessionTracker sessions() {
    return sessions;
  }

  /** Live sessions bound to {@code server}: what a drain waits for. */
  public long sessionsRemaining(String server) {
    sessions.sessions();
    return sessions.count(server);
  }
}
