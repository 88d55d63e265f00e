package dev.tether.balance.spread;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Member;
import dev.tether.balance.Picker;

/**
 * Power of two choices: draw two distinct candidates in proportion to weight, send the request to
 * the one with fewer requests in flight.
 *
 * <p>Design note: Mitzenmacher ("The Power of Two Choices in Randomized Load Balancing", 2001)
 * shows that comparing just two random servers lowers the maximum load from Θ(log n / log log n) to
 * Θ(log log n) above the mean, at O(1) cost per pick and without the herding that a global
 * least-loaded choice causes when several balancers share the servers (HAProxy {@code random(2)},
 * Envoy {@code LEAST_REQUEST}).
 */
final class PowerOfTwoBalancer extends SlowStartBalancer {

  @Override
  public String name() {
    return "power-of-two";
  }

  @Override
  public String description() {
    return "Two weighted random servers per request, the less busy one wins: choose it by default for many servers,"
        + " uneven request costs or several balancer instances; it is near least-connections at constant cost.";
  }

  @Override
  Picker picker(Member[] ms, SlowStart.Ramp ramp, BalanceEnv env) {
    return new TwoChoices(ms, new WeightedSampler(ms), ramp, TwoChoices.Cost.IN_FLIGHT, env);
  }
}
