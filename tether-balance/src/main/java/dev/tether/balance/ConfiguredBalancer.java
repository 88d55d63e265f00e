package dev.tether.balance;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * An algorithm with its options already read into typed settings. It is made once, when the
 * configuration is loaded ({@link BalancerProvider#configure}), and every pool rebuild asks it for
 * a new picker without reading an option string again. The built-in ones are records of the
 * algorithm and its typed options (such as the hash family's {@code HashOptions}), so equal
 * settings compare equal and a reload that keeps them keeps the pool.
 *
 * <pre>{@code
 * ConfiguredBalancer b = Balancers.find("ip-hash").orElseThrow()
 *     .configure(Map.of("hash-method", "maglev")).orElseThrow("pool web");
 * Picker picker = b.newPicker(members, BalanceEnv.SYSTEM);
 * }</pre>
 */
public interface ConfiguredBalancer {

  /** The algorithm. */
  BalancerProvider provider();

  /** Builds an immutable picker over {@code members} (in configuration order). */
  Picker newPicker(List<Member> members, BalanceEnv env);

  /**
   * What {@link BalancerProvider#configure} gives: the configured balancer, or every problem with
   * the options, each a complete sentence.
   */
  record Result(ConfiguredBalancer balancer, List<String> problems) {

    public Result {
      problems = List.copyOf(problems);
      if ((balancer == null) == problems.isEmpty()) {
        throw new IllegalArgumentException(
            "a result has either a balancer or problems: " + balancer + ", " + problems);
      }
    }

    /** Options that were accepted. */
    public static Result of(ConfiguredBalancer balancer) {
      return new Result(requireNonNull(balancer, "balancer"), List.of());
    }

    /** Options that were refused, for {@code problems} (not empty). */
    public static Result refused(List<String> problems) {
      return new Result(null, problems);
    }

    /**
     * The balancer, or an {@link IllegalArgumentException} naming {@code what} and every problem.
     */
    public ConfiguredBalancer orElseThrow(String what) {
      if (balancer == null) {
        throw new IllegalArgumentException(what + ": " + String.join("; ", problems));
      }
      return balancer;
    }
  }
}
