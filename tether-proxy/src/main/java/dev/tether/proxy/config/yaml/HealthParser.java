package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.Durations;
import dev.tether.proxy.config.HealthConfig;
import dev.tether.proxy.config.HostNames;
import dev.tether.proxy.config.StatusRanges;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code pools.<pool>.health}: the probe kind and its keys, timing and rise/fall. Keys that
 * only an HTTP check uses are refused on a TCP check rather than silently ignored.
 */
final class HealthParser {

  private static final Duration POSITIVE = Duration.ofMillis(1);
  private static final List<String> HTTP_ONLY =
      List.of("path", "method", "expect-status", "expect-body", "host", "agent");

  private HealthParser() {}

  /** The checks, or {@code null} when they cannot be built (problems reported). */
  static HealthConfig read(YamlSection s) {
    HealthConfig.Kind kind = s.choice("kind", HealthConfig.Kind.class, HealthConfig.Kind.HTTP);
    Duration interval = s.duration("interval", Duration.ofSeconds(2), POSITIVE);
    Duration timeout = s.duration("timeout", Duration.ofSeconds(1), POSITIVE);
    if (timeout.compareTo(interval) > 0) {
      s.error(
          "timeout",
          Durations.format(timeout)
              + " is longer than the interval "
              + Durations.format(interval)
              + "; use at most the interval");
    }
    int rise = s.integer("rise", 2, 1, 100);
    int fall = s.integer("fall", 3, 1, 100);
    if (kind == HealthConfig.Kind.TCP) {
      for (String key : HTTP_ONLY) {
        if (s.has(key)) {
          s.errorAtKey(key, "applies to HTTP checks only; remove it, or use kind: http");
        }
      }
      s.finish();
      return new HealthConfig(
          null,
          interval,
          timeout,
          rise,
          fall,
          kind,
          "GET",
          StatusRanges.DEFAULT,
          null,
          null,
          false);
    }
    boolean ok = true;
    String path = s.text("path", null);
    if (path == null) {
      s.missing("path", "the request path to probe, e.g. path: /healthz");
      ok = false;
    } else if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
      s.error(
          "path",
          "'"
              + path
              + "' is not a request path; start with / and use no spaces, "
              + "e.g. /healthz");
      ok = false;
    }
    String method = s.text("method", "GET").toUpperCase(Locale.ROOT);
    if (!HealthConfig.METHODS.contains(method)) {
      s.error("method", "'" + s.text("method", "") + "' is not allowed; use GET, HEAD or OPTIONS");
      ok = false;
    }
    StatusRanges expect = readStatuses(s);
    ok &= expect != null;
    String body = s.text("expect-body", null);
    if (body != null && body.isEmpty()) {
      s.error(
          "expect-body",
          "must not be empty; give the text the body must contain, e.g. expect-body: OK");
      ok = false;
    } else if (body != null && method.equals("HEAD")) {
      s.error("expect-body", "a HEAD response has no body; use method: GET or drop expect-body");
      ok = false;
    }
    String host = s.text("host", null);
    if (host != null && !validHost(host)) {
      s.error(
          "host",
          "'"
              + host
              + "' is not a Host header; use a host name or address with an optional port, "
              + "e.g. host: app.example.com");
      ok = false;
    }
    boolean agent = s.bool("agent", true);
    s.finish();
    return ok
        ? new HealthConfig(
            path, interval, timeout, rise, fall, kind, method, expect, body, host, agent)
        : null;
  }

  /** {@code expect-status}: {@code 200}, {@code 200-399}, or a list of those; null when invalid. */
  private static StatusRanges readStatuses(YamlSection s) {
    Node v = s.value("expect-status");
    if (v == null) {
      return StatusRanges.DEFAULT;
    }
    List<String> items = new ArrayList<>();
    if (v instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
      List<Node> nodes = s.list("expect-status");
      for (int i = 0; i < nodes.size(); i++) {
        String t =
            YamlSection.scalar(
                nodes.get(i), s.pathOf("expect-status") + "[" + i + "]", s.problems());
        if (t == null) {
          return null;
        }
        items.add(t);
      }
      if (items.isEmpty()) {
        s.error("expect-status", "needs at least one status or range, e.g. expect-status: 200-399");
        return null;
      }
    } else {
      String t = s.text("expect-status", null);
      if (t == null) {
        return null;
      }
      items.addAll(List.of(t.split(",")));
    }
    List<StatusRanges.Range> ranges = new ArrayList<>();
    for (String item : items) {
      try {
        ranges.add(StatusRanges.parseRange(item));
      } catch (IllegalArgumentException e) {
        s.error("expect-status", e.getMessage() + ", e.g. expect-status: 200-399 or [200, 204]");
        return null;
      }
    }
    return new StatusRanges(ranges);
  }

  /** A host name, IPv4 or bracketed IPv6 address, with an optional port 1..65535. */
  static boolean validHost(String host) {
    String h = host;
    String port = null;
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      if (end < 0 || !h.substring(1, end).matches("[0-9A-Fa-f:.]+")) {
        return false;
      }
      if (end + 1 < h.length()) {
        if (h.charAt(end + 1) != ':') {
          return false;
        }
        port = h.substring(end + 2);
      }
    } else {
      int colon = h.lastIndexOf(':');
      if (colon >= 0) {
        port = h.substring(colon + 1);
        h = h.substring(0, colon);
      }
      if (!HostNames.isValid(h)) {
        return false;
      }
    }
    if (port == null) {
      return true;
    }
    return port.matches("\\d{1,5}")
        && Integer.parseInt(port) >= 1
        && Integer.parseInt(port) <= 65535;
  }
}
