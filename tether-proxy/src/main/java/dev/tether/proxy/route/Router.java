package dev.tether.proxy.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Immutable routing table: host match first (exact before wildcard before any), then the longest
 * path prefix. Built by the control plane, replaced as a whole on reload.
 */
public final class Router {

  private final Route[] routes;
  private final Map<String, Upstream> upstreams;

  /**
   * @param routes the rules; with none and exactly one upstream everything goes to it
   * @param upstreams the pools by name
   * @throws IllegalArgumentException when a route names a pool that does not exist
   */
  public Router(List<Route> routes, Map<String, Upstream> upstreams) {
    this.upstreams = Map.copyOf(upstreams);
    List<Route> list = new ArrayList<>(routes);
    if (list.isEmpty() && upstreams.size() == 1) {
      list.add(new Route(null, "/", upstreams.keySet().iterator().next()));
    }
    for (Route r : list) {
      if (!upstreams.containsKey(r.pool())) {
        throw new IllegalArgumentException(
            "route " + r + " names pool " + r.pool() + ", which does not exist");
      }
    }
    list.sort(
        Comparator.comparingInt(Router::hostRank)
            .thenComparing(
                Comparator.comparingInt((Route r) -> r.pathPrefix().length()).reversed()));
    this.routes = list.toArray(Route[]::new);
  }

  private static int hostRank(Route r) {
    if (r.host() == null) {
      return 2;
    }
    return r.host().startsWith("*.") ? 1 : 0;
  }

  /**
   * The upstream for a request, or {@code null} when no route matches.
   *
   * @param host the Host header without port (any case), or {@code null}
   * @param path the request path (origin form), e.g. {@code /cart?id=1}
   */
  public Upstream route(String host, String path) {
    Route r = match(host, path);
    return r == null ? null : upstreams.get(r.pool());
  }

  /**
   * The route a request takes, or {@code null} when none matches; arguments as for {@link #route}.
   */
  public Route match(String host, String path) {
    String h = host == null ? null : host.toLowerCase(Locale.ROOT);
    for (Route r : routes) {
      if (r.matchesHost(h) && r.matchesPath(path)) {
        return r;
      }
    }
    return null;
  }

  /** The upstream of {@code route}, one of this table's. */
  public Upstream upstream(Route route) {
    return upstreams.get(route.pool());
  }

  public Map<String, Upstream> upstreams() {
    return upstreams;
  }
}
