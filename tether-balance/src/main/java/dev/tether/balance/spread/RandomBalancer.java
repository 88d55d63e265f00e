package dev.tether.balance.spread;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.EligibleMembers;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Weighted random choice (alias method), with optional slow start. */
final class RandomBalancer extends SlowStartBalancer {

  @Override
  public String name() {
    return "random";
  }

  @Override
  public String description() {
    return "A weighted random server per request: choose it when several balancer instances share the servers and"
        + " must not fall into step with each other, and requests cost about the same.";
  }

  @Override
  Picker picker(Member[] ms, SlowStart.Ramp ramp, BalanceEnv env) {
    return new RandomPicker(ms, new WeightedSampler(ms), ramp, env.random());
  }

  /** Draws one member per pick; no shared mutable state at all. */
  static final class RandomPicker implements Picker {
    private final Member[] members;
    private final WeightedSampler sampler;
    private final SlowStart.Ramp ramp;
    private final Supplier<RandomGenerator> random;

    RandomPicker(
        Member[] members,
        WeightedSampler sampler,
        SlowStart.Ramp ramp,
        Supplier<RandomGenerator> random) {
      this.members = members;
      this.sampler = sampler;
      this.ramp = ramp;
      this.random = random;
    }

    @Override
    public Member pick(PickRequest request) {
      long now = ramp == null ? SlowStart.Ramp.OVER : ramp.now();
      return members[sampler.next(random.get(), ramp, now)];
    }

    @Override
    public Member pickExcluding(PickRequest request, Member excluded) {
      RandomGenerator rnd = random.get();
      long now = ramp == null ? SlowStart.Ramp.OVER : ramp.now();
      for (int attempt = 0; attempt < 8; attempt++) {
        Member m = members[sampler.next(rnd, ramp, now)];
        if (!m.name().equals(excluded.name())) {
          return m;
        }
      }
      return EligibleMembers.firstOther(members, excluded, rnd.nextInt(members.length));
    }
  }
}
