package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Active health checks ({@code pools.<pool>.health}); see {@code docs/health-checks.md}.
 *
 * @param path the request path of an HTTP check, starting with {@code /} (required for {@code kind:
 *     http}); {@code null} for a TCP check
 * @param interval between probes of one server ({@code interval}, default 2s)
 * @param timeout for one probe, at most the interval ({@code timeout}, default 1s)
 * @param rise consecutive passes that mark a server up ({@code rise}, default 2, 1..100)
 * @param fall consecutive failures that mark a server down ({@code fall}, default 3, 1..100)
 * @param kind what a probe does ({@code kind: http | tcp}, default http)
 * @param method the HTTP method ({@code method: GET | HEAD | OPTIONS}, default GET)
 * @param expectStatus statuses that pass ({@code expect-status}, default 200-399)
 * @param expectBody a substring the first {@value #BODY_LIMIT} bytes of the body must hold ({@code
 *     expect-body}), or {@code null} (the body is not read)
 * @param host the {@code Host} header to send ({@code host}), or {@code null} for the server's
 *     {@code ip:port}
 * @param agent whether {@code Tether-State} and {@code Tether-Weight} in the health response adjust
 *     the server ({@code agent}, default true)
 */
public record HealthConfig(
    String path,
    Duration interval,
    Duration timeout,
    int rise,
    int fall,
    Kind kind,
    String method,
    StatusRanges expectStatus,
    String expectBody,
    String host,
    boolean agent) {

  /** How many bytes of a health response's body are searched for {@code expect-body}: 64 KiB. */
  public static final int BODY_LIMIT = 64 * 1024;

  /** The methods a check may use: they are safe (RFC 9110 §9.2.1), so probing changes nothing. */
  public static final Set<String> METHODS = Set.of("GET", "HEAD", "OPTIONS");

  /** What a probe does. */
  public enum Kind {
    /** An HTTP/1.1 request; judged by status, optionally body; may carry agent headers. */
    HTTP,
    /** A TCP connect: passes when the connection is accepted within the timeout. */
    TCP
  }

  public HealthConfig {
    requireNonNull(interval, "interval");
    requireNonNull(timeout, "timeout");
    requireNonNull(kind, "kind");
    requireNonNull(method, "method");
    requireNonNull(expectStatus, "expectStatus");
    if (kind == Kind.HTTP) {
      requireNonNull(path, "path");
    }
    method = method.toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("method " + method + " is not one of " + METHODS);
    }
    if (expectBody != null && (expectBody.isEmpty() || method.equals("HEAD"))) {
      throw new IllegalArgumentException(
          "expect-body needs a non-empty text and a method that gets a body");
    }
  }

  /** An HTTP GET check of {@code path} that passes on 200-399, with agent headers honoured. */
  public HealthConfig(String path, Duration interval, Duration timeout, int rise, int fall) {
    this(
        path,
        interval,
        timeout,
        rise,
        fall,
        Kind.HTTP,
        "GET",
        StatusRanges.DEFAULT,
        null,
        null,
        true);
  }
}
