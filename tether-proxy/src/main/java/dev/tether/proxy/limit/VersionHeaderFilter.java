package dev.tether.proxy.limit;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;

/**
 * Removes the response headers that tell an attacker which software and version runs behind the
 * balancer ({@code Server: Jetty(12.1.14)}, {@code X-Powered-By: PHP/8.3}, ...), so a scanner
 * cannot pick exploits by version. Tether sends none of its own. Applied by {@link ListenerChecks}
 * to every message written to a client.
 */
final class VersionHeaderFilter {

  /** The headers removed from every response to a client. */
  static final List<String> HIDDEN =
      List.of(
          "server",
          "x-powered-by",
          "x-aspnet-version",
          "x-aspnetmvc-version",
          "x-runtime",
          "x-generator");

  private VersionHeaderFilter() {}

  /** Removes the {@link #HIDDEN} headers when {@code msg} is a response head. */
  static void hide(Object msg) {
    if (msg instanceof HttpResponse r) {
      HttpHeaders h = r.headers();
      if (!h.isEmpty()) {
        for (String name : HIDDEN) {
          h.remove(name);
        }
      }
    }
  }
}
