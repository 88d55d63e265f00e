package dev.tether.balance.spread;

import dev.tether.balance.BalancerProvider;
import java.util.List;

/**
 * The spread family's entry point for the registry: the algorithms that spread requests by weight
 * and load without a request key ({@code round-robin}, {@code weighted-round-robin}, {@code
 * least-connections}, {@code least-response-time}, {@code power-of-two}, {@code random}).
 */
public final class SpreadBalancers {

  private SpreadBalancers() {}

  /** One provider per algorithm, in that order. */
  public static List<BalancerProvider> providers() {
    return List.of(
        new RoundRobinBalancer(),
        new WeightedRoundRobinBalancer(),
        new LeastConnectionsBalancer(),
        new LeastResponseTimeBalancer(),
        new PowerOfTwoBalancer(),
        new RandomBalancer());
  }
}
