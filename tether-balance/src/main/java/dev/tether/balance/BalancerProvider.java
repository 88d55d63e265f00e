package dev.tether.balance;

import java.util.List;
import java.util.Map;

/**
 * A balancing algorithm, discoverable by its configuration name through {@link Balancers} (STYLE
 * habit 8, as grpc-java's {@code LoadBalancerProvider}).
 *
 * <p>Options are the pool's algorithm settings as the configuration file writes them (for example
 * {@code hash-name: SID}, {@code balance-factor: 1.25}, {@code slow-start: 30s}); {@link
 * #optionKeys} lists the keys an algorithm accepts. {@link #configure} reads them once, when the
 * configuration is loaded, into a {@link ConfiguredBalancer} holding typed settings, or reports
 * every problem in words a person can act on (including unknown keys); a pool then builds each
 * picker from the configured balancer without reading a string again. The built-in algorithms
 * implement {@link #configure}; an algorithm that implements only {@link #validate} and {@link
 * #newPicker(List, Map, BalanceEnv)} gets the checked strings on every rebuild.
 *
 * <p>Implementations are immutable and thread-safe.
 *
 * <pre>{@code
 * BalancerProvider p = Balancers.find("cookie-hash").orElseThrow();
 * ConfiguredBalancer.Result r = p.configure(Map.of("hash-name", "SID", "hash-method", "maglev"));
 * Picker picker = r.orElseThrow("pool web").newPicker(members, BalanceEnv.SYSTEM);
 * }</pre>
 */
public interface BalancerProvider {

  /** The configuration name, e.g. {@code round-robin}. */
  String name();

  /** One sentence on when to choose this algorithm, for the README and {@code tether check}. */
  String description();

  /** The option keys this algorithm understands (besides none at all). */
  default List<String> optionKeys() {
    return List.of();
  }

  /** Problems with {@code options}, each a complete sentence; empty when they are acceptable. */
  default List<String> validate(Map<String, String> options) {
    return List.of();
  }

  /**
   * Reads {@code options} once: the configured balancer every rebuild of a pool builds its picker
   * from, or every problem. By default the options are checked with {@link #validate} and kept as
   * strings for {@link #newPicker(List, Map, BalanceEnv)}.
   */
  default ConfiguredBalancer.Result configure(Map<String, String> options) {
    List<String> problems = validate(options);
    return problems.isEmpty()
        ? ConfiguredBalancer.Result.of(new StringOptionsBalancer(this, options))
        : ConfiguredBalancer.Result.refused(problems);
  }

  /**
   * Builds an immutable picker over {@code members} (in configuration order) from option strings
   * that pass {@link #validate}. A pool does not call this on its rebuilds when the algorithm
   * implements {@link #configure}; it is the one-off form, reading the options each time.
   */
  Picker newPicker(List<Member> members, Map<String, String> options, BalanceEnv env);
}
