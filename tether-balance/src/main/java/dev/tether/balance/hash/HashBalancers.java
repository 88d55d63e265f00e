package dev.tether.balance.hash;

import dev.tether.balance.BalancerProvider;
import java.util.List;

/**
 * The hash family's entry point for the registry: {@code ip-hash}, {@code uri-hash}, {@code
 * header-hash}, {@code cookie-hash}.
 */
public final class HashBalancers {

  private HashBalancers() {}

  /** One provider per hash key, in that order. */
  public static List<BalancerProvider> providers() {
    return List.copyOf(HashBalancer.family());
  }
}
