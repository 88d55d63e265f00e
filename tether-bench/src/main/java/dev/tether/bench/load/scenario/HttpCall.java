package dev.tether.bench.load.scenario;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One request a virtual user sends.
 *
 * @param label the step's name in reports, e.g. {@code add-item}
 * @param method the HTTP method
 * @param path the request target, starting with {@code /}
 * @param headers extra request headers (the cookie jar adds {@code Cookie})
 * @param body the body, or {@code null} for none
 */
public record HttpCall(
    String label, String method, String path, Map<String, String> headers, String body) {

  public HttpCall {
    requireNonNull(label, "label");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    headers = Map.copyOf(requireNonNull(headers, "headers"));
  }

  /** A GET of {@code path}. */
  public static HttpCall get(String label, String path) {
    return new HttpCall(label, "GET", path, Map.of(), null);
  }

  /** A POST of a JSON body ({@code null} for an empty one). */
  public static HttpCall postJson(String label, String path, String json) {
    return new HttpCall(label, "POST", path, Map.of("Content-Type", "application/json"), json);
  }

  /** Whether repeating this request could change state on the server. */
  public boolean unsafe() {
    return !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
  }

  @Override
  public String toString() {
    return method + " " + path + (body != null ? " " + body : "");
  }
}
