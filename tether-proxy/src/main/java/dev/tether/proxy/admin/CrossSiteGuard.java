package dev.tether.proxy.admin;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses state-changing admin requests that a browser sends on behalf of another site.
 *
 * <p>A page on another origin can make the browser POST to the admin port (a form, or a "simple"
 * {@code fetch}); the browser attaches no token, but on a loopback admin without a token nothing
 * else stops it. Browsers mark such requests: {@code Origin} names the page that sent them, and
 * {@code Sec-Fetch-Site} (Fetch Metadata) says whether it was {@code same-origin}, {@code
 * same-site}, {@code cross-site} or {@code none} (typed by the user). The rule, the one Go's {@code
 * net/http.CrossOriginProtection} also applies:
 *
 * <ul>
 *   <li>GET, HEAD and OPTIONS always pass: they change nothing;
 *   <li>{@code Sec-Fetch-Site: cross-site} or {@code same-site} is refused;
 *   <li>an {@code Origin} that is present and is not this admin API's own origin is refused
 *       (including the opaque {@code null});
 *   <li>no {@code Origin} and no {@code Sec-Fetch-Site} passes: that is curl or a script, not a
 *       browser.
 * </ul>
 *
 * <p>The own origin is {@code http://host:port} of the listen address, not the request's {@code
 * Host} header, so a DNS-rebound name does not count as the admin's own; on a loopback address
 * {@code localhost}, {@code 127.0.0.1} and {@code [::1]} all do. Only on a wildcard address ({@code
 * 0.0.0.0}, {@code ::}), where the listen address names no host, the request's {@code Host} stands
 * in (such an admin API requires a token, which a rebound page cannot read). Immutable and
 * thread-safe.
 */
final class CrossSiteGuard {

  private final Set<String> own;
  private final boolean wildcard;
  private final int port;

  /**
   * @param host the admin listen host as configured
   * @param port the port actually bound
   */
  CrossSiteGuard(String host, int port) {
    requireNonNull(host, "host");
    this.port = port;
    String h = host.toLowerCase(Locale.ROOT);
    this.wildcard = h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]") || h.isEmpty();
    Set<String> origins = new LinkedHashSet<>();
    origins.add(origin(h, port));
    if (h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]")) {
      origins.add(origin("localhost", port));
      origins.add(origin("127.0.0.1", port));
      origins.add(origin("::1", port));
    }
    this.own = Set.copyOf(origins);
  }

  private static String origin(String host, int port) {
    boolean v6 = host.indexOf(':') >= 0 && !host.startsWith("[");
    return "http://" + (v6 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * Why the request must be refused, or {@code null} when it may proceed.
   *
   * @param method the request method
   * @param origin the {@code Origin} header, or {@code null}
   * @param fetchSite the {@code Sec-Fetch-Site} header, or {@code null}
   * @param hostHeader the {@code Host} header, or {@code null}
   */
  String refusal(String method, String origin, String fetchSite, String hostHeader) {
    if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
      return null;
    }
    if (fetchSite != null) {
      String site = fetchSite.trim().toLowerCase(Locale.ROOT);
      if (site.equals("cross-site") || site.equals("same-site")) {
        return "cross-site request refused: Sec-Fetch-Site is '"
            + site
            + "'; "
            + method
            + " on the admin API is only accepted from the dashboard itself or from a client that sends no Origin (curl)";
      }
    }
    if (origin == null || isOwn(origin.trim(), hostHeader)) {
      return null;
    }
    return "cross-site request refused: Origin '"
        + origin.trim()
        + "' is not this admin API's origin ("
        + String.join(", ", own)
        + "); "
        + method
        + " on the admin API is only accepted from the dashboard itself or from a client that sends no Origin (curl)";
  }

  private boolean isOwn(String origin, String hostHeader) {
    String o = origin.toLowerCase(Locale.ROOT);
    if (own.contains(o)) {
      return true;
    }
    if (wildcard && hostHeader != null) {
      String h = hostHeader.trim().toLowerCase(Locale.ROOT);
      return o.equals("http://" + h);
    }
    return false;
  }
}
