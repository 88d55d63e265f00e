package dev.tether.session.grid;

import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreProvider;
import dev.tether.session.spi.SessionStoreRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code grid}: a replicated in-memory store; each app instance is a grid member. Settings:
 *
 * <ul>
 *   <li>{@code initial-members} (required): comma-separated {@code host:port} list of members, e.g.
 *       {@code 10.0.0.1:7800,10.0.0.2:7800}; the same list on every member is simplest;
 *   <li>{@code cluster-name} (default {@code tether-sessions});
 *   <li>{@code bind-address} (default {@code 127.0.0.1}), {@code bind-port} (default {@code 7800}),
 *       {@code port-range} (default {@code 0}, 0..100);
 *   <li>{@code owners} (default {@code 2}, 1..10): copies of each session;
 *   <li>{@code encryption}: {@code none} (default) or {@code symmetric}, which needs {@code
 *       encryption-key}: a base64 AES key of 16, 24 or 32 bytes shared by all members;
 *   <li>{@code join-timeout} (default {@code 2s}) and {@code expiry-grace} (default {@code 15m}):
 *       durations such as {@code 500ms}, {@code 2s}, {@code 15m}, {@code 1h};
 *   <li>{@code failure-timeout} (default {@code 10s}, 1s..5m): how long a silent member may miss
 *       heartbeats before the others drop it (see {@link GridSettings#failureTimeout()});
 *   <li>{@code instance-name} (no default): this instance's server name in the balancer's pool,
 *       e.g. {@code s2}; with it the store reports each session's owners, which the servlet filter
 *       tells the balancer ({@code Tether-Session-Owners}) so it fails over to a replica owner
 *       first.
 * </ul>
 *
 * <p>The store starts its own member and stops it on {@link SessionStore#close()}.
 */
public final class GridSessionStoreProvider implements SessionStoreProvider {

  private static final Set<String> SETTINGS =
      Set.of(
          "initial-members",
          "cluster-name",
          "bind-address",
          "bind-port",
          "port-range",
          "owners",
          "encryption",
          "encryption-key",
          "join-timeout",
          "expiry-grace",
          "failure-timeout",
          "instance-name");

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  @Override
  public String name() {
    return "grid";
  }

  @Override
  public SessionStore create(Map<String, String> settings, Clock clock) {
    return GridSessionStore.start(settings(settings), clock);
  }

  /**
   * The validated settings, without starting anything.
   *
   * @throws IllegalArgumentException naming the setting and what is allowed
   */
  public static GridSettings settings(Map<String, String> s) {
    SessionStoreRegistry.requireKnownSettings("grid", s, SETTINGS);
    String members = s.get("initial-members");
    if (members == null || members.isBlank()) {
      throw new IllegalArgumentException(
          "session store 'grid' needs the setting 'initial-members': comma-separated host:port"
              + " of the grid members, e.g. 10.0.0.1:7800,10.0.0.2:7800");
    }
    String encryption = s.getOrDefault("encryption", "none").toLowerCase(Locale.ROOT);
    byte[] key = null;
    switch (encryption) {
      case "none" -> {
        if (s.containsKey("encryption-key")) {
          throw new IllegalArgumentException(
              "grid setting 'encryption-key' is only allowed with encryption=symmetric");
        }
      }
      case "symmetric" -> key = key(s.get("encryption-key"));
      default ->
          throw new IllegalArgumentException(
              "grid setting 'encryption' is '" + encryption + "'; allowed: none, symmetric");
    }
    try {
      return new GridSettings(
          s.getOrDefault("cluster-name", "tether-sessions"),
          s.getOrDefault("bind-address", "127.0.0.1"),
          integer(s, "bind-port", 7800),
          integer(s, "port-range", 0),
          members(members),
          integer(s, "owners", 2),
          key,
          duration(s, "join-timeout", GridSettings.DEFAULT_JOIN_TIMEOUT),
          duration(s, "expiry-grace", GridSettings.DEFAULT_EXPIRY_GRACE),
          duration(s, "failure-timeout", GridSettings.DEFAULT_FAILURE_TIMEOUT),
          s.get("instance-name"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("grid setting: " + e.getMessage(), e);
    }
  }

  private static byte[] key(String base64) {
    if (base64 == null || base64.isBlank()) {
      throw new IllegalArgumentException(
          "grid encryption=symmetric needs 'encryption-key': a base64 AES key of 16, 24 or 32"
              + " bytes, the same on every member");
    }
    try {
      return Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("grid setting 'encryption-key' is not valid base64", e);
    }
  }

  private static List<InetSocketAddress> members(String list) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String item : list.split(",")) {
      String hostPort = item.strip();
      int colon = hostPort.lastIndexOf(':');
      if (colon < 1 || colon == hostPort.length() - 1) {
        throw new IllegalArgumentException(
            "grid setting 'initial-members' has '" + hostPort + "'; expected host:port");
      }
      int port = parsePort(hostPort.substring(colon + 1), hostPort);
      String host = hostPort.substring(0, colon);
      InetSocketAddress address = new InetSocketAddress(host, port);
      if (address.isUnresolved()) {
        throw new IllegalArgumentException(
            "grid setting 'initial-members': host '" + host + "' cannot be resolved");
      }
      out.add(address);
    }
    return out;
  }

  private static int parsePort(String port, String item) {
    try {
      int p = Integer.parseInt(port);
      if (p >= 1 && p <= 65_535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below with the allowed range
    }
    throw new IllegalArgumentException(
        "grid setting 'initial-members' has '" + item + "'; the port must be 1..65535");
  }

  private static int integer(Map<String, String> s, String name, int fallback) {
    String v = s.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "grid setting '" + name + "' is '" + v + "'; expected a whole number", e);
    }
  }

  private static Duration duration(Map<String, String> s, String name, Duration fallback) {
    String v = s.get(name);
    if (v == null) {
      return fallback;
    }
    Matcher m = DURATION.matcher(v.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "grid setting '"
              + name
              + "' is '"
              + v
              + "'; expected a duration like 500ms, 2s, 15m, 1h");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
