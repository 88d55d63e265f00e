package dev.tether.proxy.config.yaml;

import dev.tether.balance.BalancerProvider;
import dev.tether.balance.Balancers;
import dev.tether.balance.ConfiguredBalancer;
import dev.tether.proxy.config.AffinityConfig;
import dev.tether.proxy.config.BackendTlsConfig;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.DrainConfig;
import dev.tether.proxy.config.Durations;
import dev.tether.proxy.config.HealthConfig;
import dev.tether.proxy.config.HostPort;
import dev.tether.proxy.config.InstanceMetricsConfig;
import dev.tether.proxy.config.NameRules;
import dev.tether.proxy.config.OutlierConfig;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.RetriesConfig;
import dev.tether.proxy.config.ServerConfig;
import dev.tether.proxy.config.WebSocketConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads one pool: algorithm and its options, servers, health checks and connection pooling;
 * affinity is read by {@link AffinityParser}.
 *
 * <p>Algorithm options are pool-level keys. Which keys count as options is the union of a fixed
 * list (so that a misplaced option gets a precise message even when no installed algorithm uses it)
 * and every installed algorithm's {@link BalancerProvider#optionKeys()}, so that algorithms added
 * later need no change here.
 */
final class PoolParser {

  /** Option keys known even when no installed algorithm declares them. */
  static final List<String> BASE_OPTION_KEYS =
      List.of(
          "hash-method",
          "hash-name",
          "hash-query",
          "balance-factor",
          "slow-start",
          "virtual-nodes");

  private static final Set<String> STRUCTURE =
      Set.of(
          "algorithm",
          "affinity",
          "sessions",
          "health",
          "connections",
          "servers",
          "instance-metrics",
          "retries",
          "outlier",
          "panic-threshold",
          "drain",
          "tls",
          "websocket",
          "websocket-buffer",
          "websocket-buffer-size",
          "websocket-resume-timeout",
          "websocket-ping");
  private static final Duration POSITIVE = Duration.ofMillis(1);

  private final AffinityParser affinityReader;
  private final Map<String, BalancerProvider> algorithms;
  private final TlsParser tlsReader;

  /** {@code algorithms} is normally {@link Balancers#all()}. */
  PoolParser(SecretResolver secrets, Path baseDir, Map<String, BalancerProvider> algorithms) {
    this.affinityReader = new AffinityParser(secrets, baseDir);
    this.algorithms = algorithms;
    this.tlsReader = new TlsParser(baseDir);
  }

  /** Affinity cookies default to {@code Secure} when the listener terminates TLS. */
  void tlsListener(boolean tls) {
    affinityReader.secureCookieDefault(tls);
  }

  /** The pool, or null when it cannot be built (problems reported). */
  PoolConfig read(String name, YamlSection s) {
    String algorithm = s.text("algorithm", "round-robin");
    BalancerProvider provider = algorithms.get(algorithm);
    if (provider == null) {
      String hint =
          KeySuggester.closest(algorithm, algorithms.keySet())
              .map(a -> "did you mean `" + a + "`? ")
              .orElse("");
      s.error(
          "algorithm",
          "unknown algorithm '"
              + algorithm
              + "'; "
              + hint
              + "use one of: "
              + String.join(", ", algorithms.keySet()));
    }
    Map<String, String> options = new LinkedHashMap<>();
    ConfiguredBalancer balancer = readOptions(s, provider, options);
    PoolConfig.SessionsMode sessions =
        s.choice("sessions", PoolConfig.SessionsMode.class, PoolConfig.SessionsMode.LOCAL);
    AffinityConfig affinity = affinityReader.read(s.section("affinity"), sessions);
    HealthConfig health = s.has("health") ? HealthParser.read(s.section("health")) : null;
    ConnectionsConfig connections = readConnections(s.section("connections"));
    List<ServerConfig> servers = readServers(s);
    InstanceMetricsConfig instanceMetrics =
        s.has("instance-metrics") ? readInstanceMetrics(s.section("instance-metrics")) : null;
    RetriesConfig retries = readRetries(s.section("retries"));
    OutlierConfig outlier = s.has("outlier") ? OutlierParser.read(s.section("outlier")) : null;
    int panicThreshold = OutlierParser.panicThreshold(s, outlier);
    DrainConfig drain =
        s.has("drain") ? DrainParser.read(s.section("drain"), sessions) : DrainConfig.DEFAULTS;
    BackendTlsConfig tls = s.has("tls") ? tlsReader.readBackend(s.section("tls")) : null;
    WebSocketConfig webSocket = readWebSocket(s);
    if (webSocket.managed() && connections != null && connections.sendProxy() != null) {
      // a managed WebSocket re-dials its backend away from the client connection that knows the
      // addresses a PROXY header names
      s.error(
          "websocket",
          "managed WebSockets cannot be combined with connections.send-proxy yet; "
              + "use websocket: tunnel in this pool, or leave send-proxy out");
    }
    s.finish();
    if (balancer == null || affinity == null || connections == null || servers.isEmpty()) {
      return null;
    }
    return new PoolConfig(
        name,
        algorithm,
        options,
        affinity,
        sessions,
        health,
        connections,
        servers,
        instanceMetrics,
        retries,
        outlier,
        panicThreshold,
        drain,
        tls,
        webSocket,
        balancer);
  }

  /** The pool's {@code websocket} mode and the {@code websocket-*} keys of managed connections. */
  private static WebSocketConfig readWebSocket(YamlSection s) {
    WebSocketConfig d = WebSocketConfig.DEFAULTS;
    WebSocketConfig.Mode mode = s.choice("websocket", WebSocketConfig.Mode.class, d.mode());
    int buffer = s.integer("websocket-buffer", d.buffer(), 1, 100_000);
    int bufferSize = s.size("websocket-buffer-size", d.bufferSize(), 1024, 64 * 1024 * 1024);
    Duration resume =
        s.duration("websocket-resume-timeout", d.resumeTimeout(), Duration.ofMillis(100));
    Duration ping = s.duration("websocket-ping", d.ping(), Duration.ZERO);
    if (!ping.isZero() && ping.compareTo(Duration.ofSeconds(1)) < 0) {
      s.error(
          "websocket-ping",
          "'"
              + Durations.format(ping)
              + "' is too short; use at least 1s, e.g. 30s, or 0s for no pings");
      ping = d.ping();
    }
    if (mode != WebSocketConfig.Mode.MANAGED) {
      for (String key :
          List.of(
              "websocket-buffer",
              "websocket-buffer-size",
              "websocket-resume-timeout",
              "websocket-ping")) {
        if (s.has(key)) {
          s.errorAtKey(
              key,
              "applies only to managed WebSocket connections; add `websocket: managed` to the pool or remove it");
        }
      }
    }
    return new WebSocketConfig(mode, buffer, bufferSize, resume, ping);
  }

  /**
   * Reads the algorithm's options into {@code options} (as written) and then, once, into the
   * configured balancer; {@code null} when the algorithm is unknown or refuses them (reported at
   * the option's key, or at {@code algorithm} for what the algorithm finds wrong).
   */
  private ConfiguredBalancer readOptions(
      YamlSection s, BalancerProvider provider, Map<String, String> options) {
    Set<String> keys = new LinkedHashSet<>(BASE_OPTION_KEYS);
    algorithms.values().forEach(p -> keys.addAll(p.optionKeys()));
    keys.removeAll(STRUCTURE);
    for (String key : keys) {
      Node v = s.value(key);
      if (v == null) {
        continue;
      }
      String text = YamlSection.scalar(v, s.pathOf(key), s.problems());
      if (text != null) {
        options.put(key, text);
      }
    }
    if (provider == null) {
      return null;
    }
    boolean misplaced = false;
    for (String key : options.keySet()) {
      if (!provider.optionKeys().contains(key)) {
        misplaced = true;
        List<String> users =
            algorithms.values().stream()
                .filter(p -> p.optionKeys().contains(key))
                .map(BalancerProvider::name)
                .toList();
        s.errorAtKey(
            key,
            "algorithm '"
                + provider.name()
                + "' does not use this option; "
                + (users.isEmpty()
                    ? "no installed algorithm uses it"
                    : "it applies to algorithm " + String.join(", ", users)));
      }
    }
    if (misplaced) {
      return null;
    }
    ConfiguredBalancer.Result configured = provider.configure(options);
    for (String sentence : configured.problems()) {
      s.problems().error(s.keyNode("algorithm"), s.pathOf("algorithm"), sentence);
    }
    return configured.balancer();
  }

  private static InstanceMetricsConfig readInstanceMetrics(YamlSection s) {
    String path = s.text("path", "/tether/metrics");
    if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
      s.error(
          "path",
          "'"
              + path
              + "' is not a request path; start with / and use no spaces, "
              + "e.g. /tether/metrics");
      path = null;
    }
    Duration interval = s.duration("interval", Duration.ofSeconds(5), Duration.ofMillis(100));
    Duration timeout = s.duration("timeout", Duration.ofSeconds(2), POSITIVE);
    if (timeout.compareTo(interval) > 0) {
      s.error(
          "timeout",
          Durations.format(timeout)
              + " is longer than the interval "
              + Durations.format(interval)
              + "; use at most the interval");
    }
    s.finish();
    return path == null ? null : new InstanceMetricsConfig(path, interval, timeout);
  }

  private static RetriesConfig readRetries(YamlSection s) {
    RetriesConfig d = RetriesConfig.DEFAULTS;
    int attempts = s.integer("attempts", d.attempts(), 0, 3);
    Set<Integer> statuses = new LinkedHashSet<>();
    List<Node> items = s.list("on-status");
    for (int i = 0; i < items.size(); i++) {
      String text =
          YamlSection.scalar(items.get(i), s.pathOf("on-status") + "[" + i + "]", s.problems());
      Integer code = text == null ? null : parseStatus(text);
      if (code == null) {
        s.error(
            "on-status",
            "'" + text + "' is not a status to retry on; use 500..599, e.g. on-status: [503]");
      } else {
        statuses.add(code);
      }
    }
    int buffer = s.size("buffer", d.buffer(), 0, 1024 * 1024);
    double budget = s.percent("budget", (int) Math.round(d.budgetRatio() * 100), 0) / 100.0;
    int minPerSecond = s.integer("min-retries-per-second", d.minPerSecond(), 0, 100_000);
    s.finish();
    return new RetriesConfig(attempts, statuses, buffer, budget, minPerSecond);
  }

  private static Integer parseStatus(String text) {
    try {
      int code = Integer.parseInt(text.strip());
      return code >= 500 && code <= 599 ? code : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static ConnectionsConfig readConnections(YamlSection s) {
    ConnectionsConfig d = ConnectionsConfig.DEFAULTS;
    ConnectionsConfig c =
        new ConnectionsConfig(
            s.integer("max-idle-per-server", d.maxIdlePerServer(), 0, 10_000),
            s.integer("max-per-server", d.maxPerServer(), 0, 1_000_000),
            s.duration("idle-timeout", d.idleTimeout(), POSITIVE),
            s.has("send-proxy")
                ? s.choice("send-proxy", ConnectionsConfig.ProxyProtocolVersion.class, null)
                : null);
    s.finish();
    return c;
  }

  private static List<ServerConfig> readServers(YamlSection pool) {
    List<ServerConfig> servers = new ArrayList<>();
    if (!pool.has("servers")) {
      pool.missing(
          "servers",
          "at least one server, e.g. servers: [ { name: s1, address: " + "127.0.0.1:9001 } ]");
      return servers;
    }
    List<Node> items = pool.list("servers");
    if (items.isEmpty() && pool.value("servers") instanceof SequenceNode) {
      pool.error("servers", "needs at least one server");
    }
    Map<String, Node> names = new HashMap<>();
    Map<String, Node> addresses = new HashMap<>();
    Map<String, Node> routes = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      YamlSection s =
          YamlSection.of(items.get(i), pool.pathOf("servers") + "[" + i + "]", pool.problems());
      ServerConfig server = readServer(s);
      s.finish();
      if (server == null) {
        continue;
      }
      boolean nameUnique = unique(s, "name", server.name(), names, "server name");
      boolean addressUnique =
          unique(
              s,
              "address",
              server.address().toString().toLowerCase(Locale.ROOT),
              addresses,
              "address");
      // a defaulted route repeats the name: a clash there is already reported as the name's
      boolean routeUnique =
          (!s.has("route") && !nameUnique)
              || unique(s, s.has("route") ? "route" : "name", server.route(), routes, "route");
      if (nameUnique && addressUnique && routeUnique) {
        servers.add(server);
      }
    }
    return servers;
  }

  private static boolean unique(
      YamlSection s, String key, String value, Map<String, Node> seen, String what) {
    Node node = s.value(key);
    Node first = seen.putIfAbsent(value, node != null ? node : s.node());
    if (first == null) {
      return true;
    }
    s.error(
        key,
        what
            + " '"
            + value
            + "' is already used at line "
            + (first.getStartMark().getLine() + 1)
            + "; each server needs its own");
    return false;
  }

  private static ServerConfig readServer(YamlSection s) {
    String name = s.text("name", null);
    if (name == null) {
      s.missing("name", "a name unique in the pool, e.g. name: s1");
    } else if (!NameRules.isSimpleName(name)) {
      s.error("name", "'" + name + "' is not a server name; " + NameRules.SIMPLE);
      name = null;
    }
    HostPort address = s.hostPort("address");
    if (address == null && !s.has("address")) {
      s.missing("address", "where the server listens, e.g. address: 127.0.0.1:9001");
    } else if (address != null && address.port() == 0) {
      s.error("address", "port 0 is not allowed for a server; use 1..65535");
      address = null;
    }
    int weight = s.integer("weight", 1, 0, 256);
    String route = s.text("route", name);
    if (route != null && s.has("route") && !NameRules.isSimpleName(route)) {
      s.error("route", "'" + route + "' is not a route id; " + NameRules.SIMPLE);
      route = null;
    }
    if (name == null || address == null || route == null) {
      return null;
    }
    return new ServerConfig(name, address, weight, route);
  }
}
