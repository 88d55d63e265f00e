package dev.tether.balance.internal;

import dev.tether.balance.BalanceEnv;
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
   * Cost of a busy server that has never answered: far above any real latency so that a new
   * server takes one request at a time until it has a measurement (Finagle's {@code Penalty}).
   */
  static final double PENALTY = 1e15;

  private static final int DRAWS = 4;

  private final Member[] members;
  private final WeightedSampler sampler;
  private final SlowStart.Ramp ramp;
  private final Supplier<RandomGenerator> random;
  private final Cost cost;
  private final BalanceEnv env;

  TwoChoices(Member[] members, WeightedSampler sampler, SlowStart.Ramp ramp, Cost cost, BalanceEnv env) {
    this.members = members;
    this.sampler = sampler;
    this.ramp = ramp;
    this.random = env.random();
    this.cost = cost;
    this.env = env;
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
    long t = env.ticker().getAsLong();
    return latencyCost(ma.load(), t) <= latencyCost(mb.load(), t) ? ma : mb;
  }

  /** A weighted random index other than {@code not} and not called {@code excluded}; -1 if none found. */
  private int draw(RandomGenerator rnd, long now, int not, String excluded) {
    for (int attempt = 0; attempt < DRAWS; attempt++) {
      int i = sampler.next(rnd, ramp, now);
      if (i != not && (excluded == null || !excluded.equals(members[i].name()))) {
        return i;
      }
    }
    return -1;
  }

  static double latencyCost(ServerLoad load, long nowNanos) {
    int inFlight = load.inFlight();
    if (load.completed() == 0) {
      return inFlight == 0 ? 0 : PENALTY + inFlight;
    }
    return load.latencyNanos(nowNanos) * (inFlight + 1);
  }
}
