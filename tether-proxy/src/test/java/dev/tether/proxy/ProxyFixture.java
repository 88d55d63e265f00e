package dev.tether.proxy;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.config.Timeouts;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.route.Upstream;
import dev.tether.testing.backend.TestBackend;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A proxy on port 0 in front of real test backends, for integration tests. */
final class ProxyFixture implements AutoCloseable {

  final List<TestBackend> backends;
  final Pool pool;
  final TetherProxy proxy;

  /** The pool's affinity policy, or null. */
  final dev.tether.balance.affinity.AffinityPolicy affinity;

  final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  ProxyFixture(List<TestBackend> backends, List<Integer> deadPorts, Timeouts timeouts) {
    this(
        backends,
        deadPorts,
        timeouts,
        "round-robin",
        Map.of(),
        List.of(),
        p -> null,
        TrustedProxies.NONE);
  }

  /**
   * @param affinity builds the pool's affinity policy (or returns null); responses carry the
   *     affinity debug header
   */
  ProxyFixture(
      List<TestBackend> backends,
      List<Integer> deadPorts,
      Timeouts timeouts,
      java.util.function.Function<Pool, dev.tether.balance.affinity.AffinityPolicy> affinity,
      TrustedProxies trusted) {
    this(backends, deadPorts, timeouts, "round-robin", Map.of(), List.of(), affinity, trusted);
  }

  /**
   * @param weights per backend, in order; empty for all 1
   * @param affinity builds the pool's affinity policy (or returns null)
   */
  ProxyFixture(
      List<TestBackend> backends,
      List<Integer> deadPorts,
      Timeouts timeouts,
      String algorithm,
      Map<String, String> options,
      List<Integer> weights,
      java.util.function.Function<Pool, dev.tether.balance.affinity.AffinityPolicy> affinity,
      TrustedProxies trusted) {
    this.backends = backends;
    List<Server> servers = new ArrayList<>();
    Map<String, InetSocketAddress> addrs = new LinkedHashMap<>();
    for (int k = 0; k < backends.size(); k++) {
      TestBackend b = backends.get(k);
      servers.add(
          new Server(b.name(), "127.0.0.1", b.port(), weights.isEmpty() ? 1 : weights.get(k)));
      addrs.put(b.name(), new InetSocketAddress("127.0.0.1", b.port()));
    }
    int i = 0;
    for (int port : deadPorts) {
      String name = "dead" + (++i);
      servers.add(new Server(name, "127.0.0.1", port, 1));
      addrs.put(name, new InetSocketAddress("127.0.0.1", port));
    }
    pool =
        new Pool(
            "web", servers, Balancers.find(algorithm).orElseThrow(), options, BalanceEnv.SYSTEM);
    this.affinity = affinity.apply(pool);
    Upstream up = new Upstream(pool, addrs, ConnectionsConfig.DEFAULTS, this.affinity, true);
    Router router = new Router(List.of(new Route(null, "/", "web")), Map.of("web", up));
    ProxySettings settings =
        new ProxySettings(
            new ProxySettings.Listen("127.0.0.1", 0, 1, dev.tether.proxy.config.Transport.AUTO),
            timeouts,
            Limits.DEFAULTS,
            trusted,
            dev.tether.proxy.config.AccessLog.DEFAULTS);
    proxy = TetherProxy.start(settings, router);
  }

  /**
   * Three backends s1, s2, s3 behind {@code algorithm} with {@code options} and {@code weights}.
   */
  static ProxyFixture withAlgorithm(
      String algorithm, Map<String, String> options, List<Integer> weights) {
    List<TestBackend> bs = new ArrayList<>();
    for (String n : List.of("s1", "s2", "s3")) {
      bs.add(TestBackend.start(n));
    }
    return new ProxyFixture(
        bs,
        List.of(),
        Timeouts.DEFAULTS,
        algorithm,
        options,
        weights,
        p -> null,
        TrustedProxies.NONE);
  }

  static ProxyFixture of(String... names) {
    return of(Timeouts.DEFAULTS, names);
  }

  static ProxyFixture of(Timeouts timeouts, String... names) {
    List<TestBackend> bs = new ArrayList<>();
    for (String n : names) {
      bs.add(TestBackend.start(n));
    }
    return new ProxyFixture(bs, List.of(), timeouts);
  }

  /** A loopback port with nothing listening on it (bound, then released). */
  static int deadPort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + proxy.port() + path);
  }

  TestBackend backend(String name) {
    return backends.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
  }

  @Override
  public void close() {
    proxy.stop(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
  }
}
