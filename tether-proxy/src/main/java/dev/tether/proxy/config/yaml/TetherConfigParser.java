package dev.tether.proxy.config.yaml;

import dev.tether.balance.BalancerProvider;
import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.config.AdminConfig;
import dev.tether.proxy.config.AlertsConfig;
import dev.tether.proxy.config.Cidr;
import dev.tether.proxy.config.ClientLimits;
import dev.tether.proxy.config.Durations;
import dev.tether.proxy.config.HostNames;
import dev.tether.proxy.config.HostPort;
import dev.tether.proxy.config.Http2Config;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.config.ListenerTlsConfig;
import dev.tether.proxy.config.NameRules;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.RouteAccess;
import dev.tether.proxy.config.RouteConfig;
import dev.tether.proxy.config.RouteRateLimit;
import dev.tether.proxy.config.ServerConfig;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.Timeouts;
import dev.tether.proxy.config.TracingConfig;
import dev.tether.proxy.config.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Maps the document's top level to a {@link TetherConfig} and runs the checks that span sections
 * (routes → pools, listen vs admin). Pools are read by {@link PoolParser}.
 */
final class TetherConfigParser {

  /** The admin token's minimum length, so that it cannot be guessed. */
  static final int MIN_TOKEN_LENGTH = 16;

  private static final Duration POSITIVE = Duration.ofMillis(1);

  private final ProblemCollector problems;
  private final SecretResolver secrets;
  private final PoolParser poolReader;
  private final Path baseDir;

  TetherConfigParser(
      ProblemCollector problems,
      Function<String, String> env,
      Path baseDir,
      Map<String, BalancerProvider> algorithms) {
    this.problems = problems;
    this.baseDir = baseDir;
    this.secrets = new SecretResolver(env);
    this.poolReader = new PoolParser(secrets, baseDir, algorithms);
  }

  /** The configuration, or null when problems were found (they are in {@code problems}). */
  TetherConfig read(Node root) {
    if (!(root instanceof MappingNode)) {
      problems.error(
          root,
          "",
          "the file must be a mapping with keys such as listen: and pools:, not "
              + YamlSection.describe(root));
      return null;
    }
    YamlSection top = YamlSection.of(root, "", problems);
    HostPort listen = top.hostPort("listen");
    if (listen == null && !top.has("listen")) {
      top.missing("listen", "the address clients connect to, e.g. listen: 0.0.0.0:8080");
    }
    int cores = Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 256);
    int workers = top.integer("workers", cores, 1, 256);
    Transport transport = top.choice("transport", Transport.class, Transport.AUTO);
    YamlSection adminSection = top.has("admin") ? top.section("admin") : null;
    AdminConfig admin = adminSection != null ? readAdmin(adminSection) : null;
    List<Cidr> trusted = readCidrs(top, "trusted-proxies");
    boolean proxyProtocol = top.bool("proxy-protocol", false);
    if (proxyProtocol && trusted.isEmpty() && top.has("proxy-protocol")) {
      top.error(
          "proxy-protocol",
          "the PROXY protocol header is believed only from trusted proxies; "
              + "list them, e.g. trusted-proxies: [10.0.0.0/8], or set proxy-protocol: false");
    }
    Timeouts timeouts = readTimeouts(top.section("timeouts"));
    Limits limits = readLimits(top.section("limits"));
    AccessLog accessLog = readAccessLog(top.section("access-log"));
    ListenerTlsConfig tls =
        top.has("tls") ? new TlsParser(baseDir).readListener(top.section("tls")) : null;
    HostPort redirectHttp = top.hostPort("redirect-http");
    if (redirectHttp != null && !top.has("tls")) {
      top.error(
          "redirect-http",
          "redirects to https need a TLS listener; add a tls section or leave redirect-http out");
    }
    Http2Config http2 = TlsParser.readHttp2(top.section("http2"), limits.maxHeaderSize());
    if (http2.cleartext() && top.has("tls")) {
      top.section("http2")
          .error(
              "cleartext",
              "h2c is for listeners without TLS; with tls, HTTP/2 is offered through alpn");
    }
    poolReader.tlsListener(top.has("tls"));
    TracingConfig tracing = TracingParser.read(top.section("tracing"));
    List<String> poolNames = new ArrayList<>();
    Map<String, PoolConfig> pools = readPools(top, poolNames);
    List<RouteConfig> routes = readRoutes(top, poolNames);
    AlertsConfig alerts =
        top.has("alerts")
            ? AlertsParser.read(top.section("alerts"), poolNames, pools)
            : AlertsConfig.NONE;
    top.finish();
    if (listen != null && redirectHttp != null && clash(listen, redirectHttp)) {
      top.error(
          "redirect-http",
          "must not share the data port " + listen + "; use another port, e.g. 127.0.0.1:8080");
    }
    if (listen != null && admin != null && clash(listen, admin.listen())) {
      adminSection.error(
          "listen",
          "the admin API must not share the data port "
              + listen
              + "; use another port, e.g. 127.0.0.1:9090");
    }
    if (problems.hasErrors() || listen == null) {
      return null;
    }
    return new TetherConfig(
        problems.source(),
        listen,
        workers,
        transport,
        admin,
        trusted,
        proxyProtocol,
        timeouts,
        limits,
        accessLog,
        pools,
        routes,
        tracing,
        problems.warnings(),
        alerts,
        null,
        tls,
        redirectHttp,
        http2);
  }

  private static boolean clash(HostPort a, HostPort b) {
    if (a.port() != b.port() || a.port() == 0) {
      return false;
    }
    return a.isWildcard()
        || b.isWildcard()
        || a.host().toLowerCase(Locale.ROOT).equals(b.host().toLowerCase(Locale.ROOT));
  }

  private AdminConfig readAdmin(YamlSection s) {
    HostPort listen = s.hostPort("listen");
    String token = secrets.read(s, "token", "token-env");
    Path audit = null;
    String auditFile = s.text("audit-log", null);
    if (auditFile != null) {
      try {
        audit = auditFile.isBlank() ? null : baseDir.resolve(auditFile).normalize();
      } catch (java.nio.file.InvalidPathException e) {
        s.error("audit-log", "'" + auditFile + "' is not a file name: " + e.getReason());
      }
      if (auditFile.isBlank()) {
        s.error(
            "audit-log",
            "must not be empty; name the file audit lines are appended to, e.g. "
                + "audit-log: /var/log/tether/audit.log, or leave it out for the dev.tether.audit logger");
      }
    }
    s.finish();
    if (token != null && token.length() < MIN_TOKEN_LENGTH) {
      s.error(
          s.has("token") ? "token" : "token-env",
          "the token has "
              + token.length()
              + " characters; use at least "
              + MIN_TOKEN_LENGTH
              + " random ones, e.g. from "
              + "`openssl rand -hex 16`");
    }
    HostPort effective = listen != null ? listen : AdminConfig.DEFAULT_LISTEN;
    if (token == null && !s.has("token") && !s.has("token-env") && !effective.isLoopback()) {
      s.error(
          "listen",
          "'"
              + effective
              + "' is not a loopback address; the admin API listens on "
              + "127.0.0.1, [::1] or localhost unless admin.token or admin.token-env is set");
    }
    return new AdminConfig(effective, token, audit);
  }

  private List<Cidr> readCidrs(YamlSection s, String key) {
    List<Cidr> out = new ArrayList<>();
    List<Node> items = s.list(key);
    for (int i = 0; i < items.size(); i++) {
      String path = s.pathOf(key) + "[" + i + "]";
      String text = YamlSection.scalar(items.get(i), path, problems);
      if (text == null) {
        continue;
      }
      try {
        out.add(Cidr.parse(text));
      } catch (IllegalArgumentException e) {
        problems.error(items.get(i), path, e.getMessage());
      }
    }
    return out;
  }

  private static Timeouts readTimeouts(YamlSection s) {
    Timeouts d = Timeouts.DEFAULTS;
    Timeouts t =
        new Timeouts(
            s.duration("connect", d.connect(), POSITIVE),
            s.duration("client-request", d.clientRequest(), POSITIVE),
            s.duration("client-idle", d.clientIdle(), POSITIVE),
            s.duration("server", d.server(), POSITIVE),
            s.duration("tunnel", d.tunnel(), POSITIVE),
            s.duration("shutdown", d.shutdown(), Duration.ZERO));
    s.finish();
    return t;
  }

  private static Limits readLimits(YamlSection s) {
    Limits d = Limits.DEFAULTS;
    Limits l =
        new Limits(
            s.size("max-request-line", d.maxRequestLine(), 256, 1 << 20),
            s.size("max-header-size", d.maxHeaderSize(), 1 << 10, 1 << 20),
            s.integer("max-headers", d.maxHeaders(), 1, 10_000),
            s.size("max-chunk", d.maxChunk(), 1 << 10, 16 << 20),
            readClientLimits(s));
    s.finish();
    return l;
  }

  private static ClientLimits readClientLimits(YamlSection s) {
    ClientLimits d = ClientLimits.DEFAULTS;
    ClientLimits c =
        new ClientLimits(
            s.integer("max-connections", d.maxConnections(), 0, 10_000_000),
            s.integer("max-connections-per-client", d.maxConnectionsPerClient(), 0, 10_000_000),
            s.integer("max-accept-rate", d.maxAcceptRate(), 0, 10_000_000),
            s.integer("max-accept-rate-per-client", d.maxAcceptRatePerClient(), 0, 10_000_000),
            s.size("min-body-rate", d.minBodyRate(), 0, 1 << 30),
            s.size("min-response-rate", d.minResponseRate(), 0, 1 << 30),
            s.duration("slow-client-window", d.slowClientWindow(), Duration.ZERO));
    if (c.maxConnections() > 0 && c.maxConnectionsPerClient() > c.maxConnections()) {
      s.error(
          "max-connections-per-client",
          c.maxConnectionsPerClient()
              + " is more than max-connections ("
              + c.maxConnections()
              + "); use at most "
              + c.maxConnections()
              + ", or 0 for no per-client limit");
    }
    if (c.checksRates() && c.slowClientWindow().compareTo(Duration.ofSeconds(1)) < 0) {
      s.error(
          "slow-client-window",
          "'"
              + Durations.format(c.slowClientWindow())
              + "' is too short to measure a rate"
              + " over; use 1s or more (e.g. 30s), or 0 to turn the body and response rate checks off");
    }
    return c;
  }

  private AccessLog readAccessLog(YamlSection s) {
    AccessLog d = AccessLog.DEFAULTS;
    boolean enabled = s.bool("enabled", d.enabled());
    AccessLog.Format format = s.choice("format", AccessLog.Format.class, d.format());
    Path path = null;
    String file = s.text("path", null);
    if (file != null) {
      if (file.isBlank()) {
        s.error(
            "path",
            "must not be empty; name the file lines are appended to, e.g. "
                + "path: /var/log/tether/access.log, or leave path out for standard output");
      } else {
        try {
          path = baseDir.resolve(file).normalize();
        } catch (java.nio.file.InvalidPathException e) {
          s.error("path", "'" + file + "' is not a file name: " + e.getReason());
        }
      }
    }
    int buffer = s.size("buffer", d.buffer(), 4 * 1024, 16 * 1024 * 1024);
    Duration flush = s.duration("flush", d.flush(), Duration.ofMillis(10));
    s.finish();
    return new AccessLog(enabled, format, path, buffer, flush);
  }

  private Map<String, PoolConfig> readPools(YamlSection top, List<String> names) {
    Node node = top.value("pools");
    Map<String, PoolConfig> pools = new LinkedHashMap<>();
    if (node == null) {
      top.missing("pools", "at least one pool of servers, e.g. pools: { web: { servers: [...] } }");
      return pools;
    }
    YamlSection section = YamlSection.of(node, "pools", problems);
    if (node instanceof MappingNode m && m.getValue().isEmpty()) {
      problems.error(node, "pools", "needs at least one pool");
    }
    for (String name : List.copyOf(section.presentKeys())) {
      names.add(name);
      Node keyNode = section.keyNode(name);
      if (!NameRules.isSimpleName(name)) {
        problems.error(
            keyNode,
            section.pathOf(name),
            "'" + name + "' is not a pool name; " + NameRules.SIMPLE);
      }
      YamlSection poolSection = section.section(name);
      PoolConfig pool = poolReader.read(name, poolSection);
      if (pool != null) {
        pools.put(name, pool);
        checkSharedAddresses(name, pool, poolSection, pools);
      }
    }
    section.finish();
    return pools;
  }

  /**
   * Backend connections are pooled by server address, so pools that name the same address must
   * agree on whether and how it speaks TLS: otherwise a connection opened (and verified) for one
   * pool would be reused by the other.
   */
  private static void checkSharedAddresses(
      String name, PoolConfig pool, YamlSection poolSection, Map<String, PoolConfig> earlier) {
    for (Map.Entry<String, PoolConfig> other : earlier.entrySet()) {
      boolean sameTls = java.util.Objects.equals(other.getValue().tls(), pool.tls());
      boolean sameProxy =
          other.getValue().connections().sendProxy() == pool.connections().sendProxy();
      if (other.getKey().equals(name) || sameTls && sameProxy) {
        continue;
      }
      for (ServerConfig mine : pool.servers()) {
        for (ServerConfig theirs : other.getValue().servers()) {
          if (mine.address().toString().equalsIgnoreCase(theirs.address().toString())) {
            String what = sameTls ? "connections.send-proxy" : "tls";
            String at =
                !sameTls
                    ? (poolSection.has("tls") ? "tls" : "servers")
                    : poolSection.has("connections") ? "connections" : "servers";
            poolSection.error(
                at,
                "server "
                    + mine.name()
                    + " at "
                    + mine.address()
                    + " is also server "
                    + theirs.name()
                    + " of pool "
                    + other.getKey()
                    + ", whose "
                    + what
                    + " settings differ; connections to one address are shared, so give both pools "
                    + "the same "
                    + what
                    + " or use a different address");
            return;
          }
        }
      }
    }
  }

  private List<RouteConfig> readRoutes(YamlSection top, List<String> pools) {
    List<RouteConfig> routes = new ArrayList<>();
    if (!top.has("routes")) {
      if (pools.size() == 1) {
        routes.add(new RouteConfig(null, "/", pools.getFirst()));
      } else if (pools.size() > 1) {
        top.missing(
            "routes",
            "with more than one pool, say which requests go where, e.g. "
                + "routes: [ { path-prefix: /, pool: "
                + pools.getFirst()
                + " } ]");
      }
      return routes;
    }
    List<Node> items = top.list("routes");
    if (items.isEmpty() && top.value("routes") instanceof SequenceNode) {
      top.error("routes", "needs at least one route, e.g. - { path-prefix: /, pool: web }");
    }
    Map<String, Node> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      YamlSection r = YamlSection.of(items.get(i), "routes[" + i + "]", problems);
      RouteConfig route = readRoute(r, pools);
      r.finish();
      if (route == null) {
        continue;
      }
      String key = route.host() + " " + route.pathPrefix();
      Node first = seen.putIfAbsent(key, items.get(i));
      if (first != null) {
        problems.error(
            items.get(i),
            r.path(),
            "the same host and path-prefix as the route at line "
                + (first.getStartMark().getLine() + 1)
                + "; this one would never be used");
      } else {
        routes.add(route);
      }
    }
    return routes;
  }

  private RouteConfig readRoute(YamlSection r, List<String> pools) {
    String host = r.text("host", null);
    if (host != null) {
      host = host.toLowerCase(Locale.ROOT);
      String name = host.startsWith("*.") ? host.substring(2) : host;
      if (!HostNames.isValid(name)) {
        r.error(
            "host",
            "'"
                + host
                + "' is not a host; use an exact host name (shop.example.com) or "
                + "*.suffix (*.example.com), without a port");
        host = null;
      }
    }
    String prefix = r.text("path-prefix", "/");
    if (!NameRules.isPath(prefix)) {
      r.error(
          "path-prefix",
          "'"
              + prefix
              + "' is not a path prefix; start with / and use no "
              + "spaces, '?', '#' or ';', e.g. /api/");
    }
    String pool = r.text("pool", null);
    if (pool == null) {
      r.missing("pool", "the pool that serves these requests; pools: " + String.join(", ", pools));
      return null;
    }
    if (!pools.contains(pool)) {
      String hint =
          KeySuggester.closest(pool, pools).map(p -> "did you mean `" + p + "`? ").orElse("");
      r.error(
          "pool",
          "no pool is called '" + pool + "'; " + hint + "pools: " + String.join(", ", pools));
      return null;
    }
    RouteAccess access = r.has("access") ? RouteRulesParser.access(r.section("access")) : null;
    RouteRateLimit rateLimit =
        r.has("rate-limit") ? RouteRulesParser.rateLimit(r.section("rate-limit")) : null;
    return new RouteConfig(host, prefix, pool, access, rateLimit);
  }
}
