package dev.tether.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One routing rule: requests whose host matches and whose path starts with {@code pathPrefix} go to
 * {@code pool}. A {@code null} host matches any host; {@code *.example.com} matches subdomains.
 * {@code gate}, when not {@code null}, checks access and rate limits before a request is balanced.
 */
public record Route(String host, String pathPrefix, String pool, RouteGate gate) {

  public Route {
    requireNonNull(pathPrefix, "pathPrefix");
    requireNonNull(pool, "pool");
    host = host == null ? null : host.toLowerCase(Locale.ROOT);
  }

  /** A route that checks nothing before balancing. */
  public Route(String host, String pathPrefix, String pool) {
    this(host, pathPrefix, pool, null);
  }

  boolean matchesHost(String requestHost) {
    if (host == null) {
      return true;
    }
    if (requestHost == null) {
      return false;
    }
    if (host.startsWith("*.")) {
      return requestHost.endsWith(host.substring(1)) && requestHost.length() > host.length() - 1;
    }
    return host.equals(requestHost);
  }

  boolean matchesPath(String path) {
    if (!path.startsWith(pathPrefix)) {
      return false;
    }
    // "/api" matches "/api", "/api/x" and "/api?q" but not "/apix".
    return pathPrefix.endsWith("/")
        || path.length() == pathPrefix.length()
        || path.charAt(pathPrefix.length()) == '/';
  }
}
