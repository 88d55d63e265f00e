package dev.tether.session.redis;

import dev.tether.session.redis.RedisSessionStoreConfig.Mode;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreProvider;
import dev.tether.session.spi.SessionStoreRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code redis}: settings
 *
 * <ul>
 *   <li>{@code uri} (required): {@code redis://host:port[/db]}, {@code rediss://…}, {@code
 *       redis-sentinel://host:port[,host:port]/db#master}; for Cluster a comma-separated list of
 *       seed node URIs
 *   <li>{@code mode}: {@code standalone}, {@code sentinel} or {@code cluster}; default {@code
 *       sentinel} for a {@code redis-sentinel://} URI, else {@code standalone}
 *   <li>{@code key-prefix}: default {@code tether:session:}
 *   <li>{@code buckets}: 1..16384, default 1 ({@code 16} for Cluster)
 *   <li>{@code safety-margin}: how much longer than a session's logical lifetime its key lives,
 *       default {@code 10m}
 *   <li>{@code timeout}: command timeout, default {@code 2s}: the longest a call waits for Redis
 *   <li>{@code connect-timeout}: how long opening a connection may take, default {@code 5s}
 *   <li>{@code circuit.*}: the circuit breaker ({@link
 *       dev.tether.session.circuit.CircuitBreakerSettings}), on by default when built through
 *       {@link SessionStoreRegistry}
 * </ul>
 *
 * Durations are {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h} or ISO-8601 ({@code PT10M}).
 */
public final class RedisSessionStoreProvider implements SessionStoreProvider {

  private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
  private static final Pattern ISO_DURATION =
      Pattern.compile("pt(?:[0-9]{1,9}h)?(?:[0-9]{1,9}m)?(?:[0-9]{1,9}(?:\\.[0-9]{1,9})?s)?");

  private static final Set<String> SETTINGS =
      Set.of("uri", "mode", "key-prefix", "buckets", "safety-margin", "timeout", "connect-timeout");

  /** The default bucket count on Cluster. */
  public static final int DEFAULT_CLUSTER_BUCKETS = 16;

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public SessionStore create(Map<String, String> settings, Clock clock) {
    return new RedisSessionStore(config(settings), clock);
  }

  /**
   * The configuration {@code settings} describe, validated without connecting.
   *
   * @throws IllegalArgumentException naming the setting and what is allowed
   */
  public static RedisSessionStoreConfig config(Map<String, String> settings) {
    SessionStoreRegistry.requireKnownSettings("redis", settings, SETTINGS);
    String uri = settings.get("uri");
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException(
          "session store 'redis' needs the setting 'uri', e.g. redis://127.0.0.1:6379,"
              + " redis-sentinel://s1:26379,s2:26379/0#mymaster, or for cluster a comma-separated"
              + " list of redis:// seed nodes");
    }
    Mode mode = mode(settings.get("mode"), uri);
    if (mode == Mode.STANDALONE && uri.contains(",")) {
      throw new IllegalArgumentException(
          "session store 'redis': setting 'uri' lists several servers, but standalone mode takes"
              + " exactly one URI; set 'mode' to cluster for Cluster seed nodes, or use one"
              + " redis-sentinel://host:port,host:port/db#master URI for Sentinel");
    }
    List<String> uris =
        mode == Mode.CLUSTER
            ? Arrays.stream(uri.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList()
            : List.of(uri.strip());
    String prefix = settings.getOrDefault("key-prefix", RedisSessionStoreConfig.DEFAULT_PREFIX);
    int buckets = buckets(settings.get("buckets"), mode);
    Duration margin =
        duration(
            "safety-margin",
            settings.get("safety-margin"),
            RedisSessionStoreConfig.DEFAULT_SAFETY_MARGIN);
    Duration timeout =
        duration("timeout", settings.get("timeout"), RedisSessionStoreConfig.DEFAULT_TIMEOUT);
    Duration connect =
        duration(
            "connect-timeout",
            settings.get("connect-timeout"),
            RedisSessionStoreConfig.DEFAULT_CONNECT_TIMEOUT);
    try {
      return new RedisSessionStoreConfig(uris, mode, prefix, buckets, margin, timeout, connect);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("session store 'redis': " + e.getMessage(), e);
    }
  }

  private static Mode mode(String value, String uri) {
    if (value == null) {
      return uri.strip().startsWith("redis-sentinel") ? Mode.SENTINEL : Mode.STANDALONE;
    }
    try {
      return Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "session store 'redis': setting 'mode' is '"
              + value
              + "'; allowed: standalone, sentinel, cluster",
          e);
    }
  }

  private static int buckets(String value, Mode mode) {
    if (value == null) {
      return mode == Mode.CLUSTER ? DEFAULT_CLUSTER_BUCKETS : 1;
    }
    String v = value.strip();
    int n = v.matches("[0-9]{1,5}") ? Integer.parseInt(v) : 0;
    if (n < 1 || n > BucketKeys.MAX_BUCKETS) {
      throw new IllegalArgumentException(
          "session store 'redis': setting 'buckets' is '"
              + value
              + "'; allowed: a whole number 1.."
              + BucketKeys.MAX_BUCKETS);
    }
    return n;
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h} or an ISO-8601 duration. */
  static Duration duration(String setting, String value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    String v = value.strip().toLowerCase(Locale.ROOT);
    Matcher m = SHORT_DURATION.matcher(v);
    Duration d;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
          };
    } else if (v.length() > 2 && ISO_DURATION.matcher(v).matches()) {
      d = Duration.parse(v.toUpperCase(Locale.ROOT));
    } else {
      d = Duration.ZERO;
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(
          "session store 'redis': setting '"
              + setting
              + "' is '"
              + value
              + "'; allowed: a positive duration like 500ms, 30s, 10m, 2h or PT10M");
    }
    return d;
  }
}
