package dev.tether.balance.affinity.policy;

import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.PoolSnapshot;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.DrainRules;

/**
 * The part of every key-based mode after the key is known: follow the bound server while it takes
 * bound work, otherwise re-pin (or refuse when strict), and balance unbound keys afresh. A key
 * bound to a draining server is re-pinned when the pool's {@link DrainRules} say so, judged by how
 * long the session tracker last saw the key (a key it does not know counts as idle); when no other
 * server takes new work the key stays where it is.
 */
final class BoundResolution {

  private final Assigner assigner;

  BoundResolution(Assigner assigner) {
    this.assigner = assigner;
  }

  Assigner assigner() {
    return assigner;
  }

  /**
   * @param bound the server name the key is bound to, or {@code null}
   * @param key the affinity key, or {@code null} when the request has none
   */
  AffinityDecision resolve(
      PickRequest request, PoolSnapshot snapshot, String pin, String bound, String key) {
    if (bound != null) {
      Member m = snapshot.member(bound);
      if (m != null && m.acceptsBound()) {
        if (drainRepin(m, key)) {
          Member target = assigner.fresh(request, snapshot, null, m);
          if (target != null) {
            return moved(target, key);
          }
        }
        assigner.stats().record(AffinityOutcome.HIT);
        touch(key, m);
        return new AffinityDecision(m, AffinityOutcome.HIT, null, key);
      }
      if (assigner.rules().strict()) {
        assigner.stats().record(AffinityOutcome.REFUSED);
        return new AffinityDecision(null, AffinityOutcome.REFUSED, null, key);
      }
      return fresh(request, snapshot, pin, null, AffinityOutcome.REDISPATCHED_DOWN, key);
    }
    return fresh(request, snapshot, pin, null, AffinityOutcome.NEW, key);
  }

  /** Whether {@code key}, bound to {@code bound}, should leave it because {@code bound} drains. */
  boolean drainRepin(Member bound, String key) {
    DrainRules rules = assigner.drain();
    if (!rules.repin(bound, 0) && !rules.repin(bound, Long.MAX_VALUE)) {
      return false; // not draining or soft: skip the tracker lookup
    }
    long idle = key == null ? Long.MAX_VALUE : assigner.stats().sessions().idleNanos(key);
    return rules.repin(bound, idle);
  }

  /** {@code key} leaves its draining server for {@code target}. */
  AffinityDecision moved(Member target, String key) {
    assigner.stats().record(AffinityOutcome.REDISPATCHED_DRAIN);
    touch(key, target);
    return new AffinityDecision(target, AffinityOutcome.REDISPATCHED_DRAIN, null, key);
  }

  AffinityDecision redispatch(AffinityDecision failed, PickRequest request, PoolSnapshot snapshot) {
    if (failed.member() == null) {
      return failed;
    }
    if (failed.outcome() == AffinityOutcome.HIT && assigner.rules().strict()) {
      assigner.stats().record(AffinityOutcome.REFUSED);
      return new AffinityDecision(null, AffinityOutcome.REFUSED, null, failed.key());
    }
    AffinityOutcome o =
        failed.outcome() == AffinityOutcome.HIT
            ? AffinityOutcome.REDISPATCHED_DOWN
            : failed.outcome();
    return fresh(request, snapshot, null, failed.member(), o, failed.key());
  }

  private AffinityDecision fresh(
      PickRequest request,
      PoolSnapshot snapshot,
      String pin,
      Member excluded,
      AffinityOutcome outcome,
      String key) {
    Member m = assigner.fresh(request, snapshot, pin, excluded);
    assigner.stats().record(outcome);
    if (m != null) {
      touch(key, m);
    }
    return new AffinityDecision(m, outcome, null, key);
  }

  private void touch(String key, Member m) {
    if (key != null) {
      assigner.stats().sessions().touch(key, m.name());
    }
  }
}
