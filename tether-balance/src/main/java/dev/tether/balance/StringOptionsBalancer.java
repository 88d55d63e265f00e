package dev.tether.balance;

import java.util.List;
import java.util.Map;

/**
 * The configured form of an algorithm that does not read its options itself (one that implements
 * only {@link BalancerProvider#validate} and {@link BalancerProvider#newPicker(List, Map,
 * BalanceEnv)}): the checked option strings, handed to it on every rebuild.
 */
record StringOptionsBalancer(BalancerProvider provider, Map<String, String> options)
    implements ConfiguredBalancer {

  StringOptionsBalancer {
    options = Map.copyOf(options);
  }

  @Override
  public Picker newPicker(List<Member> members, BalanceEnv env) {
    return provider.newPicker(members, options, env);
  }
}
