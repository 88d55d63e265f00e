package dev.tether.balance.spread;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.EligibleMembers;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import dev.tether.balance.ServerLoad;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The picker behind {@code power-of-two} and {@code least-response-time}: two distinct weighted
 * random candidates, the cheaper one wins (the first on a tie; the draw is random anyway).
 */
final class TwoChoices implements Picker {

  /** How a candidate's cost is measured. */
  enum Cost {
    /** Requests in flight. */
    IN_FLIGHT,
    /** Peak-EWMA latency × (in flight + 1), Finagle's and Linkerd's "peak EWMA". */
    LATENCY
  }

  /**
   * Cost of a busy server that has never answered: far above any real latency so that a new server
   * takes one request at a time until it has a measurement (Finagle's {@code Penalty}).
   */
  static final double PENALTY = 1e15;

  private static final int DRAWS = 4;

  private final Member[] members;
  private final WeightedSampler sampler;
  private final SlowStart.Ramp ramp;
  private final Supplier<RandomGenerator> random;
  private final Cost cost;

  TwoChoices(
      Member[] members, WeightedSampler sampler, SlowStart.Ramp ramp, Cost cost, BalanceEnv env) {
    this.members = members;
    this.sampler = sampler;
    this.ramp = ramp;
    this.random = env.random();
    this.cost = cost;
  }

  @Override
  public Member pick(PickRequest request) {
    return choose(null);
  }

  @Override
  public Member pickExcluding(PickRequest request, Member excluded) {
    Member m = choose(excluded.name());
    if (m != null) {
      return m;
    }
    return EligibleMembers.firstOther(members, excluded, random.get().nextInt(members.length));
  }

  private Member choose(String excluded) {
    if (members.length == 1) {
      return excluded == null || !excluded.equals(members[0].name()) ? members[0] : null;
    }
    RandomGenerator rnd = random.get();
    long now = ramp == null ? SlowStart.Ramp.OVER : ramp.now();
    int a = draw(rnd, now, -1, excluded);
    if (a < 0) {
      return null;
    }
    int b = draw(rnd, now, a, excluded);
    if (b < 0) {
      return members[a];
    }
    Member ma = members[a];
    Member mb = members[b];
    if (cost == Cost.IN_FLIGHT) {
      return ma.load().inFlight() <= mb.load().inFlight() ? ma : mb;
    }
    return latencyNotAbove(ma.load(), mb.load()) ? ma : mb;
  }

  /**
   * A weighted random index other than {@code not} and not called {@code excluded}; -1 if none
   * found.
   */
  private int draw(RandomGenerator rnd, long now, int not, String excluded) {
    for (int attempt = 0; attempt < DRAWS; attempt++) {
      int i = sampler.next(rnd, ramp, now);
      if (i != not && (excluded == null || !excluded.equals(members[i].name()))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether a's cost, decayed latency × (in flight + 1), is at most b's. Both decay by the common
   * factor e^(−now/τ), which cancels: compare stored_a × (f_a + 1) with stored_b × (f_b + 1) ×
   * e^((stamp_b − stamp_a)/τ), one exponential and no clock read.
   */
  static boolean latencyNotAbove(ServerLoad a, ServerLoad b) {
    boolean freshA = a.completed() == 0;
    boolean freshB = b.completed() == 0;
    if (freshA || freshB) {
      return unmeasuredCost(a, freshA) <= unmeasuredCost(b, freshB);
    }
    double costA = a.storedLatencyNanos() * (a.inFlight() + 1);
    double costB = b.storedLatencyNanos() * (b.inFlight() + 1);
    double relative =
        Math.exp((double) (b.latencyStampNanos() - a.latencyStampNanos()) / ServerLoad.DECAY_NANOS);
    // costB × relative is NaN only when costB is 0 and relative infinite: b is free, prefer it.
    return costA <= costB * relative;
  }

  /**
   * Cost for a comparison involving a server without measurements: 0 when idle, a large penalty
   * plus its queue when busy; a measured server counts as its queue only (below the penalty).
   */
  private static double unmeasuredCost(ServerLoad load, boolean fresh) {
    int inFlight = load.inFlight();
    if (fresh) {
      return inFlight == 0 ? 0 : PENALTY + inFlight;
    }
    return inFlight + 1;
  }
}
