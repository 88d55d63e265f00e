package dev.tether.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One routing rule: requests whose host matches and whose path starts with {@code pathPrefix} go
 * to {@code pool}. A {@code null} host matches any host; {@code *.example.com} matches subdomains.
 */
public record Route(String host, String pathPrefix, String pool) {

  public Route {
    requireNonNull(pathPrefix, "pathPrefix");
    requireNonNull(pool, "pool");
    host = host == null ? null : host.toLowerCase(Locale.ROOT);
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
    return pathPrefix.endsWith("/") || path.length() == pathPrefix.length()
        || path.charAt(pathPrefix.length()) == '/';
  }
}
