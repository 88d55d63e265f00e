package dev.tether.balance.spread;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.BalancerProvider;
import dev.tether.balance.ConfiguredBalancer;
import dev.tether.balance.EligibleMembers;
import dev.tether.balance.Member;
import dev.tether.balance.OptionsReader;
import dev.tether.balance.Picker;
import java.util.List;
import java.util.Map;

/**
 * The shared shape of the weighted algorithms: their one option is {@code slow-start}, they pick
 * among the members that take new work, and they ramp a newly up server's weight.
 */
abstract class SlowStartBalancer implements BalancerProvider {

  @Override
  public final List<String> optionKeys() {
    return List.of(SlowStart.OPTION);
  }

  @Override
  public final ConfiguredBalancer.Result configure(Map<String, String> options) {
    OptionsReader r = SlowStartOptions.reader(name(), options);
    SlowStartOptions read = SlowStartOptions.read(r);
    return r.problems().isEmpty()
        ? ConfiguredBalancer.Result.of(new Configured(this, read))
        : ConfiguredBalancer.Result.refused(r.problems());
  }

  @Override
  public final List<String> validate(Map<String, String> options) {
    return configure(options).problems();
  }

  @Override
  public final Picker newPicker(List<Member> members, Map<String, String> options, BalanceEnv env) {
    return configure(options).orElseThrow("algorithm " + name()).newPicker(members, env);
  }

  /** The picker over {@code members} with slow start as {@code options} say. */
  final Picker newPicker(List<Member> members, SlowStartOptions options, BalanceEnv env) {
    Member[] ms = EligibleMembers.inOrder(members);
    if (ms.length == 0) {
      return EligibleMembers.NONE;
    }
    return picker(ms, SlowStart.ramp(ms, options.windowNanos(), env.ticker()), env);
  }

  /** The picker over the eligible members {@code ms} (never empty), ramped by {@code ramp}. */
  abstract Picker picker(Member[] ms, SlowStart.Ramp ramp, BalanceEnv env);

  /** A weighted algorithm with its options read. */
  record Configured(SlowStartBalancer provider, SlowStartOptions options)
      implements ConfiguredBalancer {
    @Override
    public Picker newPicker(List<Member> members, BalanceEnv env) {
      return provider.newPicker(members, options, env);
    }
  }
}
