package dev.tether.proxy.admin;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Application instances that the admin API may kill, start and add — the instances {@code tether
 * demo} runs in its own process. A balancer in front of real servers has none: the admin API then
 * answers 404 on {@code /api/demo/...}.
 *
 * <p>Implementations are called from the admin API's virtual threads, one call at a time per
 * request; they must be thread-safe. A name that does not exist is an {@link
 * IllegalArgumentException} whose message says which names do.
 */
public interface InstanceControl {

  /** One application instance: its name in the pool, its {@code host:port}, and whether it runs. */
  record Instance(String name, String address, boolean running) {
    public Instance {
      requireNonNull(name, "name");
      requireNonNull(address, "address");
    }
  }

  /** Every instance, running or not, in name order. */
  List<Instance> instances();

  /** Stops instance {@code name} abruptly (no graceful leave), as a crash would. */
  Instance kill(String name);

  /** Starts instance {@code name} again, on its old address. */
  Instance start(String name);

  /**
   * Starts a new instance and adds it to the pool; {@code name} may be {@code null} for the next
   * free name.
   */
  Instance add(String name);
}
