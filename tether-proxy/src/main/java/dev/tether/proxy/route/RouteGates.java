package dev.tether.proxy.route;

import dev.tether.proxy.config.RouteConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The gates of the routes that have access rules or rate limits, across reloads: a route whose
 * rules did not change keeps its gate, so a reload refills no rate-limit bucket; a gate whose route
 * changed or went away is closed (its shared limit's Redis connection). Control plane only.
 */
public final class RouteGates implements AutoCloseable {

  private final RouteGate.Refusals refusals = new RouteGate.Refusals();
  private final LongSupplier ticker;
  private volatile Map<RouteConfig, RouteGate> gates = new HashMap<>();

  /**
   * @param ticker monotonic nanoseconds, for the rate-limit buckets
   */
  public RouteGates(LongSupplier ticker) {
    this.ticker = ticker;
  }

  /**
   * The routing rules of {@code configs}, each with its gate (kept from the last call when its
   * rules are the same).
   */
  public List<Route> routes(List<RouteConfig> configs) {
    List<Route> routes = new ArrayList<>();
    Map<RouteConfig, RouteGate> next = new HashMap<>();
    for (RouteConfig rc : configs) {
      RouteGate gate = null;
      if (rc.access() != null || rc.rateLimit() != null) {
        RouteGate kept = gates.get(rc);
        gate =
            kept != null
                ? kept
                : new RouteGate(
                    rc.access(),
                    rc.rateLimit(),
                    refusals,
                    ticker,
                    System::currentTimeMillis,
                    (rc.host() == null ? "*" : rc.host()) + rc.pathPrefix());
        next.put(rc, gate);
      }
      routes.add(new Route(rc.host(), rc.pathPrefix(), rc.pool(), gate));
    }
    Map<RouteConfig, RouteGate> before = gates;
    gates = next;
    before.forEach(
        (rc, g) -> {
          if (next.get(rc) != g) {
            g.close();
          }
        });
    return routes;
  }

  /**
   * Whether every route's shared rate limit is connected to its Redis (true when no route shares
   * one); until then those routes limit per instance.
   */
  public boolean sharedLimitsConnected() {
    return gates.values().stream().allMatch(RouteGate::sharedConnected);
  }

  /** Counts the routes' shared rate limits sent to Redis and not yet answered. */
  public int sharedCountsInFlight() {
    return gates.values().stream().mapToInt(RouteGate::sharedCountsInFlight).sum();
  }

  /** Exports the refusals as {@code tether.route.refused{reason}}. */
  public void bind(MeterRegistry registry) {
    String what =
        "requests refused by a route before balancing: by its access rule (403) or rate limit (429)";
    FunctionCounter.builder("tether.route.refused", refusals, RouteGate.Refusals::denied)
        .description(what)
        .tag("reason", "denied")
        .register(registry);
    FunctionCounter.builder("tether.route.refused", refusals, RouteGate.Refusals::rateLimited)
        .description(what)
        .tag("reason", "rate-limited")
        .register(registry);
  }

  @Override
  public void close() {
    gates.values().forEach(RouteGate::close);
  }
}
