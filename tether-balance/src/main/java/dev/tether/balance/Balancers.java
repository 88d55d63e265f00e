package dev.tether.balance;

import dev.tether.balance.hash.HashBalancers;
import dev.tether.balance.spread.SpreadBalancers;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The registry of balancing algorithms by configuration name. Built-in algorithms are registered
 * here: {@code round-robin}, {@code weighted-round-robin}, {@code least-connections}, {@code
 * least-response-time}, {@code power-of-two}, {@code random}, {@code ip-hash}, {@code uri-hash},
 * {@code header-hash} and {@code cookie-hash}; further ones are found with {@link ServiceLoader} (a
 * built-in name cannot be replaced).
 */
public final class Balancers {

  private static final Map<String, BalancerProvider> PROVIDERS = load();

  private Balancers() {}

  /** The algorithm called {@code name}, if there is one. */
  public static Optional<BalancerProvider> find(String name) {
    return Optional.ofNullable(PROVIDERS.get(name));
  }

  /** Every algorithm, by name, in a stable order. */
  public static Map<String, BalancerProvider> all() {
    return PROVIDERS;
  }

  private static Map<String, BalancerProvider> load() {
    Map<String, BalancerProvider> map = new LinkedHashMap<>();
    for (BalancerProvider p : SpreadBalancers.providers()) {
      register(map, p);
    }
    for (BalancerProvider p : HashBalancers.providers()) {
      register(map, p);
    }
    for (BalancerProvider p : ServiceLoader.load(BalancerProvider.class)) {
      register(map, p);
    }
    return Collections.unmodifiableMap(map);
  }

  private static void register(Map<String, BalancerProvider> map, BalancerProvider p) {
    map.putIfAbsent(p.name(), p);
  }
}
