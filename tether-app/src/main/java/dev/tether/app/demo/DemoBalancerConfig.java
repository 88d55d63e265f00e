package dev.tether.app.demo;

import dev.tether.proxy.admin.InstanceControl.Instance;
import java.util.List;

/**
 * The balancer configuration {@code tether demo} runs: cookie affinity over power-of-two choices,
 * passive checks that eject a killed instance at its third refused connection (its requests are
 * retried on another), active health checks every second that mark it down after two misses (one
 * slow answer from an instance busy with a failover is not a death), panic mode only when no
 * instance is healthy (a demo kills most of its instances on purpose, so the usual 50% would send
 * users to dead ones), managed WebSockets (the chat's connections outlive a killed instance and
 * resume on another, which sends the messages missed meanwhile), the admin API with the dashboard,
 * and per-instance session metrics. {@code replicated} says whether the instances share their
 * sessions (every store but {@code memory}), which lets affinity move idle sessions.
 */
public record DemoBalancerConfig(String host, int port, int adminPort, boolean replicated) {

  /** The YAML for {@code instances}; the cookie key comes from {@code TETHER_DEMO_KEY}. */
  public String yaml(List<Instance> instances) {
    StringBuilder servers = new StringBuilder();
    for (Instance i : instances) {
      servers
          .append("      - { name: ")
          .append(i.name())
          .append(", address: ")
          .append(i.address())
          .append(" }\n");
    }
    return """
        # tether demo: the built-in configuration
        listen: %s:%d
        workers: 1
        access-log: { enabled: false }
        admin: { listen: %s:%d }
        alerts:
          rules:
            - { kind: server-down, for: 2s }
            - { kind: spread-imbalance, factor: 3, for: 30s }
            - { kind: error-rate, share: 0.05, window: 1m, for: 10s }
            - { kind: birth-rate-spike, factor: 5, window: 10m, for: 10s }
            - { kind: session-size, limit: 64k, for: 10s }
        pools:
          web:
            algorithm: power-of-two
            sessions: %s
            affinity:
              mode: cookie
              cookie: { name: TETHER, secure: false, same-site: lax }
              keys:
                - { id: demo, secret-env: TETHER_DEMO_KEY }
              debug-header: true
            health: { path: /healthz, interval: 1s, timeout: 1s, rise: 1, fall: 2 }
            outlier: { base-ejection: 5s }
            panic-threshold: 1%%
            websocket: managed
            instance-metrics: { path: /tether/metrics, interval: 2s, timeout: 1s }
            servers:
        %s"""
        .formatted(host, port, host, adminPort, replicated ? "replicated" : "local", servers);
  }
}
