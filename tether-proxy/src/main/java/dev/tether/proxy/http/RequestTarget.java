package dev.tether.proxy.http;

/**
 * The request-target of a request line (RFC 9112 §3.2) as the proxy routes and forwards it.
 *
 * <ul>
 *   <li>origin-form {@code /path?query}: forwarded as is, the authority is the {@code Host} header;
 *   <li>absolute-form {@code http://host:port/path} (sent to proxies): the authority is the one in
 *       the target, which wins over {@code Host} (RFC 9112 §3.2.2), and the backend gets the
 *       origin-form {@code /path} ({@code /} when the target has no path);
 *   <li>asterisk-form {@code *} ({@code OPTIONS *}): routed as {@code /};
 *   <li>anything else (authority-form of {@code CONNECT}, which is refused later): left as is.
 * </ul>
 *
 * <p>Static and allocation-free for the origin-form, which is nearly every request.
 *
 * <pre>{@code
 * String path = RequestTarget.originForm(uri);          // what routing and the backend see
 * String host = RequestTarget.authority(uri, hostHeader);
 * Route r = router.match(RequestTarget.hostName(host), path);
 * }</pre>
 */
public final class RequestTarget {

  private RequestTarget() {}

  /** Whether {@code uri} is in absolute-form with an {@code http} or {@code https} scheme. */
  public static boolean absoluteForm(String uri) {
    return uri.regionMatches(true, 0, "http://", 0, 7)
        || uri.regionMatches(true, 0, "https://", 0, 8);
  }

  /**
   * The origin-form of {@code uri}: the path and query routing matches and the backend receives.
   */
  public static String originForm(String uri) {
    if (uri.startsWith("/")) {
      return uri;
    }
    if (uri.equals("*")) {
      return "/";
    }
    if (absoluteForm(uri)) {
      int slash = uri.indexOf('/', authorityStart(uri));
      return slash < 0 ? "/" : uri.substring(slash);
    }
    return uri;
  }

  /**
   * The authority the request names: the one in an absolute-form {@code uri}, otherwise {@code
   * hostHeader} (which may be {@code null}).
   */
  public static String authority(String uri, String hostHeader) {
    if (uri.startsWith("/") || !absoluteForm(uri)) {
      return hostHeader;
    }
    int start = authorityStart(uri);
    int slash = uri.indexOf('/', start);
    return slash < 0 ? uri.substring(start) : uri.substring(start, slash);
  }

  /**
   * The host of an authority without its port: {@code example.com:8080} → {@code example.com},
   * {@code [::1]:8080} → {@code [::1]}; {@code null} stays {@code null}.
   */
  public static String hostName(String authority) {
    if (authority == null) {
      return null;
    }
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      return end < 0 ? authority : authority.substring(0, end + 1);
    }
    int colon = authority.lastIndexOf(':');
    return colon < 0 ? authority : authority.substring(0, colon);
  }

  private static int authorityStart(String uri) {
    return uri.indexOf("//") + 2;
  }
}
