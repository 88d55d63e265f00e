package dev.tether.session.memcached;

import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreProvider;
import dev.tether.session.spi.SessionStoreRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code memcached}: settings
 *
 * <ul>
 *   <li>{@code nodes} (required): comma-separated {@code host:port}, e.g. {@code
 *       127.0.0.1:11211,127.0.0.1:11212,127.0.0.1:11213}; each session lives on two of them
 *   <li>{@code key-prefix}: default {@code tether:session:}
 *   <li>{@code timeout}: per-call timeout, default {@code 1s}
 *   <li>{@code retry}: how long a failed node is skipped, default {@code 1s}
 *   <li>{@code safety-margin}: how much longer than its logical lifetime a key lives, default
 *       {@code 10m}
 *   <li>{@code expiry-bucket}: width of a bucket of the sweep's expiry index, default {@code 1m}
 * </ul>
 *
 * Durations are {@code 500ms}, {@code 30s}, {@code 10m} or {@code 2h}.
 */
public final class MemcachedSessionStoreProvider implements SessionStoreProvider {

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
  private static final Pattern NODE =
      Pattern.compile("([A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:]+\\]):([0-9]{1,5})");
  private static final Set<String> SETTINGS =
      Set.of("nodes", "key-prefix", "timeout", "retry", "safety-margin", "expiry-bucket");

  @Override
  public String name() {
    return "memcached";
  }

  @Override
  public SessionStore create(Map<String, String> settings, Clock clock) {
    return new MemcachedSessionStore(config(settings), clock);
  }

  /**
   * The configuration {@code settings} describe, validated without connecting.
   *
   * @throws IllegalArgumentException naming the setting and what is allowed
   */
  public static MemcachedSessionStoreConfig config(Map<String, String> settings) {
    SessionStoreRegistry.requireKnownSettings("memcached", settings, SETTINGS);
    String nodes = settings.get("nodes");
    if (nodes == null || nodes.isBlank()) {
      throw new IllegalArgumentException(
          "session store 'memcached' needs the setting 'nodes', e.g."
              + " 127.0.0.1:11211,127.0.0.1:11212,127.0.0.1:11213");
    }
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String part : nodes.split(",")) {
      Matcher m = NODE.matcher(part.strip());
      int port = m.matches() ? Integer.parseInt(m.group(2)) : 0;
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "session store 'memcached': setting 'nodes' has '"
                + part.strip()
                + "'; allowed: host:port with a port 1..65535, comma-separated");
      }
      InetSocketAddress a =
          InetSocketAddress.createUnresolved(m.group(1).replace("[", "").replace("]", ""), port);
      if (addresses.contains(a)) {
        throw new IllegalArgumentException(
            "session store 'memcached': setting 'nodes' lists " + part.strip() + " twice");
      }
      addresses.add(a);
    }
    MemcachedSessionStoreConfig d = MemcachedSessionStoreConfig.of(addresses);
    String prefix = settings.getOrDefault("key-prefix", d.keyPrefix());
    try {
      return new MemcachedSessionStoreConfig(
          addresses,
          prefix,
          duration("timeout", settings.get("timeout"), d.timeout()),
          duration("retry", settings.get("retry"), d.retry()),
          duration("safety-margin", settings.get("safety-margin"), d.safetyMargin()),
          duration("expiry-bucket", settings.get("expiry-bucket"), d.expiryBucket()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("session store 'memcached': " + e.getMessage(), e);
    }
  }

  private static Duration duration(String setting, String value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    Matcher m = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
    long n = m.matches() ? Long.parseLong(m.group(1)) : 0;
    if (n == 0) {
      throw new IllegalArgumentException(
          "session store 'memcached': setting '"
              + setting
              + "' is '"
              + value
              + "'; allowed: a positive duration like 500ms, 30s, 10m or 2h");
    }
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
