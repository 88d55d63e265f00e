package dev.tether.bench.load;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * Where the load goes, from {@code --url}.
 *
 * @param host the host to connect to
 * @param port the port
 * @param prefix a path prefix put before every request path ({@code ""} for none)
 */
public record LoadTarget(String host, int port, String prefix) {

  public LoadTarget {
    requireNonNull(host, "host");
    requireNonNull(prefix, "prefix");
  }

  /**
   * Parses an {@code http://} URL.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static LoadTarget parse(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--url '" + url + "' is not a URL; allowed: http://HOST:PORT[/PREFIX]", e);
    }
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "--url '" + url + "': allowed: http://HOST:PORT[/PREFIX] (https is not supported)");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return new LoadTarget(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), path);
  }

  /** The {@code Host} header. */
  public String hostHeader() {
    return port == 80 ? host : host + ":" + port;
  }

  /** The target as a URL. */
  public String url() {
    return "http://" + hostHeader() + prefix;
  }
}
