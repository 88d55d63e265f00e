package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Balancers;
import dev.tether.balance.ConfiguredBalancer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One backend pool ({@code pools.<name>}).
 *
 * @param name the pool's name (letters, digits, '.', '_', '-')
 * @param algorithm a name known to {@code dev.tether.balance.Balancers} (default round-robin)
 * @param algorithmOptions the algorithm's options from the pool keys (e.g. {@code hash-method}), as
 *     written, in file order (what {@code balancer} was read from)
 * @param affinity sticky-session settings ({@code affinity}; mode none when absent)
 * @param sessions how the pool's apps keep sessions ({@code sessions: local | replicated})
 * @param health active health checks, or {@code null} when there is no {@code health} section
 * @param connections backend connection pooling ({@code connections})
 * @param servers the servers in file order, at least one
 * @param instanceMetrics scraping each server's session metrics, or {@code null} (off, the default)
 * @param retries retries of failed requests on another server ({@code retries})
 * @param outlier passive health checks ({@code outlier}), or {@code null} (off, the default)
 * @param panicThreshold panic mode below this percentage of healthy servers ({@code
 *     panic-threshold}, 0..100, 0 = off; default 50 with {@code outlier}, else 0)
 * @param drain how a server of the pool drains ({@code drain}; {@link DrainConfig#DEFAULTS} when
 *     absent)
 * @param tls TLS to the pool's servers, for requests and health checks ({@code tls}), or {@code
 *     null} (cleartext, the default)
 * @param webSocket how WebSocket connections are carried ({@code websocket}, {@code websocket-*})
 * @param balancer the algorithm with its options read into typed settings, once, when the file was
 *     read; every rebuild of the pool builds its picker from it
 */
public record PoolConfig(
    String name,
    String algorithm,
    Map<String, String> algorithmOptions,
    AffinityConfig affinity,
    SessionsMode sessions,
    HealthConfig health,
    ConnectionsConfig connections,
    List<ServerConfig> servers,
    InstanceMetricsConfig instanceMetrics,
    RetriesConfig retries,
    OutlierConfig outlier,
    int panicThreshold,
    DrainConfig drain,
    BackendTlsConfig tls,
    WebSocketConfig webSocket,
    ConfiguredBalancer balancer) {

  /** How a pool's application instances keep sessions; decides whether migration is safe. */
  public enum SessionsMode {
    /** Each instance keeps its own sessions; moving a user loses their session (default). */
    LOCAL,
    /** Sessions live in a shared store; any instance can serve any session. */
    REPLICATED
  }

  public PoolConfig {
    requireNonNull(name, "name");
    requireNonNull(algorithm, "algorithm");
    algorithmOptions = Collections.unmodifiableMap(new LinkedHashMap<>(algorithmOptions));
    requireNonNull(affinity, "affinity");
    requireNonNull(sessions, "sessions");
    requireNonNull(connections, "connections");
    servers = List.copyOf(servers);
    requireNonNull(retries, "retries");
    requireNonNull(drain, "drain");
    requireNonNull(webSocket, "webSocket");
    requireNonNull(balancer, "balancer");
    if (!balancer.provider().name().equals(algorithm)) {
      throw new IllegalArgumentException(
          "pool "
              + name
              + " names algorithm "
              + algorithm
              + " but is balanced by "
              + balancer.provider().name());
    }
    if (panicThreshold < 0 || panicThreshold > 100) {
      throw new IllegalArgumentException(
          "panic-threshold " + panicThreshold + "% is outside 0..100%");
    }
  }

  /** This pool with {@code servers} instead of its own (runtime changes). */
  public PoolConfig withServers(List<ServerConfig> servers) {
    return new PoolConfig(
        name,
        algorithm,
        algorithmOptions,
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

  /**
   * A pool whose algorithm options are read here, with the installed algorithm called {@code
   * algorithm}.
   *
   * @throws IllegalArgumentException when there is no such algorithm or it refuses the options
   */
  public PoolConfig(
      String name,
      String algorithm,
      Map<String, String> algorithmOptions,
      AffinityConfig affinity,
      SessionsMode sessions,
      HealthConfig health,
      ConnectionsConfig connections,
      List<ServerConfig> servers,
      InstanceMetricsConfig instanceMetrics,
      RetriesConfig retries,
      OutlierConfig outlier,
      int panicThreshold,
      DrainConfig drain,
      BackendTlsConfig tls,
      WebSocketConfig webSocket) {
    this(
        name,
        algorithm,
        algorithmOptions,
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
        configure(name, algorithm, algorithmOptions));
  }

  private static ConfiguredBalancer configure(
      String name, String algorithm, Map<String, String> options) {
    return Balancers.find(requireNonNull(algorithm, "algorithm"))
        .orElseThrow(
            () -> new IllegalArgumentException("pool " + name + ": unknown algorithm " + algorithm))
        .configure(options)
        .orElseThrow("pool " + name);
  }

  /** A pool whose WebSocket connections are tunnels. */
  public PoolConfig(
      String name,
      String algorithm,
      Map<String, String> algorithmOptions,
      AffinityConfig affinity,
      SessionsMode sessions,
      HealthConfig health,
      ConnectionsConfig connections,
      List<ServerConfig> servers,
      InstanceMetricsConfig instanceMetrics,
      RetriesConfig retries,
      OutlierConfig outlier,
      int panicThreshold,
      DrainConfig drain,
      BackendTlsConfig tls) {
    this(
        name,
        algorithm,
        algorithmOptions,
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
        WebSocketConfig.DEFAULTS);
  }

  /** A pool whose servers speak cleartext HTTP/1.1. */
  public PoolConfig(
      String name,
      String algorithm,
      Map<String, String> algorithmOptions,
      AffinityConfig affinity,
      SessionsMode sessions,
      HealthConfig health,
      ConnectionsConfig connections,
      List<ServerConfig> servers,
      InstanceMetricsConfig instanceMetrics,
      RetriesConfig retries,
      OutlierConfig outlier,
      int panicThreshold,
      DrainConfig drain) {
    this(
        name,
        algorithm,
        algorithmOptions,
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
        null);
  }

  /** A pool with the default drain settings. */
  public PoolConfig(
      String name,
      String algorithm,
      Map<String, String> algorithmOptions,
      AffinityConfig affinity,
      SessionsMode sessions,
      HealthConfig health,
      ConnectionsConfig connections,
      List<ServerConfig> servers,
      InstanceMetricsConfig instanceMetrics,
      RetriesConfig retries,
      OutlierConfig outlier,
      int panicThreshold) {
    this(
        name,
        algorithm,
        algorithmOptions,
        affinity,
        sessions,
        health,
        connections,
        servers,
        instanceMetrics,
        retries,
        outlier,
        panicThreshold,
        DrainConfig.DEFAULTS);
  }

  /** A pool with the default retries and without outlier detection or panic mode. */
  public PoolConfig(
      String name,
      String algorithm,
      Map<String, String> algorithmOptions,
      AffinityConfig affinity,
      SessionsMode sessions,
      HealthConfig health,
      ConnectionsConfig connections,
      List<ServerConfig> servers,
      InstanceMetricsConfig instanceMetrics) {
    this(
        name,
        algorithm,
        algorithmOptions,
        affinity,
        sessions,
        health,
        connections,
        servers,
        instanceMetrics,
        RetriesConfig.DEFAULTS,
        null,
        0,
        DrainConfig.DEFAULTS);
  }
}
