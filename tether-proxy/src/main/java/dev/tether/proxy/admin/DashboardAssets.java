package dev.tether.proxy.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's static files, served by the admin API at {@code /} and {@code /dashboard/*}.
 *
 * <p>The files live in the jar under {@code dev/tether/proxy/admin/dashboard/} and are read once at
 * start-up. Only the fixed set below is served, looked up by the exact raw request path, so no
 * request path ever reaches the class loader or the file system (no traversal, no listing); any
 * other path under {@code /dashboard/} is a 404. The page needs no token to load (it holds no data;
 * its API calls carry the token) and is served with a strict Content-Security-Policy: every script
 * and style comes from this origin, nothing inline, no framing.
 */
final class DashboardAssets {

  /** The Content-Security-Policy of every dashboard file. */
  static final String CSP =
      "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final String PREFIX = "/dashboard/";
  private static final String ROOT = "dashboard/";

  private record Asset(String contentType, byte[] body) {}

  private final Map<String, Asset> assets;
  private final ObjectMapper json;

  private DashboardAssets(Map<String, Asset> assets, ObjectMapper json) {
    this.assets = Map.copyOf(assets);
    this.json = json;
  }

  /**
   * Reads the dashboard files from the class path.
   *
   * @throws IllegalStateException when one is missing from the jar (a broken build)
   */
  static DashboardAssets load(ObjectMapper json) {
    Map<String, Asset> m = new LinkedHashMap<>();
    m.put("/", read("index.html", "text/html; charset=utf-8"));
    m.put(PREFIX + "app.js", read("app.js", "text/javascript; charset=utf-8"));
    m.put(PREFIX + "charts.js", read("charts.js", "text/javascript; charset=utf-8"));
    m.put(PREFIX + "app.css", read("app.css", "text/css; charset=utf-8"));
    m.put(PREFIX + "favicon.svg", read("favicon.svg", "image/svg+xml"));
    return new DashboardAssets(m, json);
  }

  private static Asset read(String name, String contentType) {
    try (InputStream in = DashboardAssets.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "the dashboard file " + ROOT + name + " is missing from the class path");
      }
      return new Asset(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dashboard file " + ROOT + name, e);
    }
  }

  /** Whether {@code rawPath} belongs to the dashboard (served here, or a 404 from here). */
  static boolean owns(String rawPath) {
    return rawPath.equals("/") || rawPath.startsWith(PREFIX);
  }

  /** Answers a request whose path this class {@link #owns}; does not close the exchange. */
  void serve(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    Headers h = ex.getResponseHeaders();
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
    String method = ex.getRequestMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      h.set("Allow", "GET, HEAD");
      error(ex, 405, method + " is not allowed here; the dashboard is read with GET");
      return;
    }
    Asset asset = assets.get(path);
    if (asset == null) {
      error(ex, 404, "no dashboard file " + path + "; the dashboard is at /");
      return;
    }
    h.set("Content-Type", asset.contentType());
    h.set("Content-Security-Policy", CSP);
    h.set("Cache-Control", "no-cache");
    if (method.equals("HEAD")) {
      h.set("Content-Length", Integer.toString(asset.body().length));
      ex.sendResponseHeaders(200, -1);
      return;
    }
    ex.sendResponseHeaders(200, asset.body().length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(asset.body());
    }
  }

  private void error(HttpExchange ex, int status, String message) throws IOException {
    byte[] body = json.writeValueAsBytes(Map.of("error", message));
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
