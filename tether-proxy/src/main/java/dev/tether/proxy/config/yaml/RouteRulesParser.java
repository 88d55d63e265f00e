package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.Cidr;
import dev.tether.proxy.config.RouteAccess;
import dev.tether.proxy.config.RouteRateLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a route's {@code access} and {@code rate-limit} sections, reporting every problem with its
 * place.
 */
final class RouteRulesParser {

  private static final Pattern RATE = Pattern.compile("(\\d{1,9})\\s*/\\s*(s|m|h)");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private RouteRulesParser() {}

  /**
   * {@code access: { allow: [CIDR...], deny: [CIDR...] }}, or {@code null} when absent or invalid.
   */
  static RouteAccess access(YamlSection s) {
    ProblemCollector problems = s.problems();
    int before = problems.errorCount();
    List<Cidr> allow = cidrs(s, "allow");
    List<Cidr> deny = cidrs(s, "deny");
    s.finish();
    if (problems.errorCount() > before) {
      return null;
    }
    if (allow.isEmpty() && deny.isEmpty()) {
      problems.error(
          s.node(),
          s.path(),
          "an empty access rule allows everyone; list allow and/or deny ranges, "
              + "e.g. access: { allow: [10.0.0.0/8] }, or leave access out");
      return null;
    }
    return new RouteAccess(allow, deny);
  }

  private static List<Cidr> cidrs(YamlSection s, String key) {
    List<Cidr> out = new ArrayList<>();
    List<Node> items = s.list(key);
    for (int i = 0; i < items.size(); i++) {
      String path = s.pathOf(key) + "[" + i + "]";
      String text = YamlSection.scalar(items.get(i), path, s.problems());
      if (text == null) {
        continue;
      }
      try {
        out.add(Cidr.parse(text));
      } catch (IllegalArgumentException e) {
        s.problems().error(items.get(i), path, e.getMessage());
      }
    }
    return out;
  }

  /**
   * {@code rate-limit: { rate: 100/s, burst: 200, key: client | header:NAME | cookie:NAME, max-keys
   * }}, or {@code null} when absent or invalid.
   */
  static RouteRateLimit rateLimit(YamlSection s) {
    ProblemCollector problems = s.problems();
    int before = problems.errorCount();
    double perSecond = -1;
    java.time.Duration window = java.time.Duration.ofSeconds(1);
    String rate = s.text("rate", null);
    if (rate == null) {
      s.missing("rate", "requests per second, minute or hour for each key, e.g. rate: 100/s");
    } else {
      Matcher m = RATE.matcher(rate.strip().toLowerCase(Locale.ROOT));
      long n = m.matches() ? Long.parseLong(m.group(1)) : 0;
      if (n < 1) {
        s.error(
            "rate",
            "'"
                + rate
                + "' is not a rate; use a whole number of requests per s, m or h, e.g. 100/s or 30/m");
      } else {
        perSecond =
            switch (m.group(2)) {
              case "s" -> n;
              case "m" -> n / 60.0;
              default -> n / 3600.0;
            };
        window =
            switch (m.group(2)) {
              case "s" -> java.time.Duration.ofSeconds(1);
              case "m" -> java.time.Duration.ofMinutes(1);
              default -> java.time.Duration.ofHours(1);
            };
      }
    }
    int defaultBurst =
        perSecond > 0 ? (int) Math.max(1, Math.min(1_000_000, Math.ceil(perSecond))) : 1;
    int burst = s.integer("burst", defaultBurst, 1, 1_000_000);
    int maxKeys = s.integer("max-keys", 100_000, 1, 10_000_000);
    RouteRateLimit.Key key = RouteRateLimit.Key.CLIENT;
    String keyName = null;
    String keyText = s.text("key", "client");
    String k = keyText.strip();
    int colon = k.indexOf(':');
    String kind = (colon < 0 ? k : k.substring(0, colon)).toLowerCase(Locale.ROOT);
    String name = colon < 0 ? null : k.substring(colon + 1).strip();
    switch (kind) {
      case "client" -> {
        if (name != null) {
          s.error("key", "'" + keyText + "': client takes no name; use key: client");
        }
      }
      case "header", "cookie" -> {
        if (name == null || !TOKEN.matcher(name).matches()) {
          s.error(
              "key",
              "'"
                  + keyText
                  + "' needs a "
                  + kind
                  + " name, e.g. key: "
                  + kind
                  + ":"
                  + (kind.equals("header") ? "X-Api-Key" : "SESSION"));
        } else {
          key = kind.equals("header") ? RouteRateLimit.Key.HEADER : RouteRateLimit.Key.COOKIE;
          keyName = kind.equals("header") ? name.toLowerCase(Locale.ROOT) : name;
        }
      }
      default ->
          s.error(
              "key",
              "'" + keyText + "' is not a rate-limit key; use client, header:NAME or cookie:NAME");
    }
    String redis = null;
    if (s.has("shared")) {
      YamlSection shared = s.section("shared");
      redis = shared.text("redis-uri", null);
      if (redis == null) {
        shared.missing(
            "redis-uri",
            "the Redis the Tether instances share the limit through, e.g. redis-uri: redis://127.0.0.1:6379");
      } else if (!redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
        shared.error(
            "redis-uri",
            "'" + redis + "' is not a Redis URI; use redis://host:port or rediss://host:port");
        redis = null;
      } else if (!OptionalLibrary.LETTUCE.present()) {
        s.errorAtKey("shared", OptionalLibrary.LETTUCE.missingFor("a shared rate limit"));
        redis = null;
      } else {
        try {
          io.lettuce.core.RedisURI.create(redis);
        } catch (IllegalArgumentException e) {
          shared.error("redis-uri", "'" + redis + "' is not a Redis URI: " + e.getMessage());
          redis = null;
        }
      }
      shared.finish();
    }
    s.finish();
    if (problems.errorCount() > before) {
      return null;
    }
    return new RouteRateLimit(perSecond, burst, key, keyName, maxKeys, window, redis);
  }
}
