package dev.tether.balance.spread;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.BalancerProvider;
import dev.tether.balance.EligibleMembers;
import dev.tether.balance.Member;
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
  public final List<String> validate(Map<String, String> options) {
    return SlowStart.validate(name(), options);
  }

  @Override
  public final Picker newPicker(List<Member> members, Map<String, String> options, BalanceEnv env) {
    Member[] ms = EligibleMembers.inOrder(members);
    if (ms.length == 0) {
      return EligibleMembers.NONE;
    }
    return picker(ms, SlowStart.ramp(ms, SlowStart.window(name(), options), env.ticker()), env);
  }

  /** The picker over the eligible members {@code ms} (never empty), ramped by {@code ramp}. */
  abstract Picker picker(Member[] ms, SlowStart.Ramp ramp, BalanceEnv env);
}
