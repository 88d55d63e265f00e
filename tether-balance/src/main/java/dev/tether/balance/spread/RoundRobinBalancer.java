package dev.tether.balance.spread;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.BalancerProvider;
import dev.tether.balance.ConfiguredBalancer;
import dev.tether.balance.EligibleMembers;
import dev.tether.balance.Member;
import dev.tether.balance.OptionsReader;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plain round robin over the members that accept new work; weights are ignored except that weight 0
 * takes no new work. Slow start does not apply (there is no weight to ramp).
 */
final class RoundRobinBalancer implements BalancerProvider {

  @Override
  public String name() {
    return "round-robin";
  }

  @Override
  public String description() {
    return "Each server in turn, ignoring weights: choose it when the servers are alike and requests cost about the same.";
  }

  @Override
  public ConfiguredBalancer.Result configure(Map<String, String> options) {
    List<String> problems = new OptionsReader(name(), options, Set.of()).problems();
    return problems.isEmpty()
        ? ConfiguredBalancer.Result.of(new Configured(this))
        : ConfiguredBalancer.Result.refused(problems);
  }

  @Override
  public List<String> validate(Map<String, String> options) {
    return configure(options).problems();
  }

  @Override
  public Picker newPicker(List<Member> members, Map<String, String> options, BalanceEnv env) {
    return configure(options).orElseThrow("algorithm " + name()).newPicker(members, env);
  }

  /** Round robin, which takes no options. */
  record Configured(RoundRobinBalancer provider) implements ConfiguredBalancer {
    @Override
    public Picker newPicker(List<Member> members, BalanceEnv env) {
      return provider.newPicker(members);
    }
  }

  private Picker newPicker(List<Member> members) {
    Member[] eligible = EligibleMembers.inOrder(members);
    if (eligible.length == 0) {
      return EligibleMembers.NONE;
    }
    return new RoundRobinPicker(eligible);
  }

  /** Picks {@code members[seq++ mod n]}; the sequence is the only per-pick state. */
  static final class RoundRobinPicker implements Picker {
    private final Member[] members;
    private final AtomicInteger seq;

    RoundRobinPicker(Member[] members) {
      this(members, 0);
    }

    RoundRobinPicker(Member[] members, int start) {
      this.members = members;
      this.seq = new AtomicInteger(start);
    }

    @Override
    public Member pick(PickRequest request) {
      // Mask the sign bit so the index stays valid when the counter overflows.
      return members[(seq.getAndIncrement() & Integer.MAX_VALUE) % members.length];
    }
  }
}
