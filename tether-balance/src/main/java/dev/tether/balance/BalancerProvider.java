package dev.tether.balance;

import java.util.List;
import java.util.Map;

/**
 * A balancing algorithm, discoverable by its configuration name through {@link Balancers} (STYLE
 * habit 8, as grpc-java's {@code LoadBalancerProvider}).
 *
 * <p>Options are the pool's algorithm settings as strings (for example {@code hash-name: SID},
 * {@code balance-factor: 1.25}, {@code slow-start: 30s}); {@link #optionKeys} lists the keys an
 * algorithm accepts, {@link #validate} reports what is wrong in words a person can act on
 * (including unknown keys), and {@link #newPicker} may assume the options passed validation.
 *
 * <p>Implementations are immutable and thread-safe.
 *
 * <pre>{@code
 * BalancerProvider p = Balancers.find("cookie-hash").orElseThrow();
 * List<String> problems = p.validate(Map.of("hash-name", "SID", "hash-method", "maglev"));
 * Picker picker = p.newPicker(members, options, BalanceEnv.SYSTEM);
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

  /** Builds an immutable picker over {@code members} (in configuration order). */
  Picker newPicker(List<Member> members, Map<String, String> options, BalanceEnv env);
}
