package dev.tether.proxy.health;

import dev.tether.balance.Pool;
import dev.tether.balance.ServerState;
import dev.tether.balance.WeightOverride;
import dev.tether.proxy.config.HealthConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the log says about one applied probe result: a state change at INFO or WARN with its cause
 * (the fall or rise count, or the agent header), a change the state outranks, a weight the agent
 * set, an agent header ignored (once until it changes), and anything else at DEBUG. It logs as
 * {@link HealthChecker}, the name operators configure.
 */
final class ProbeLog {

  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  private ProbeLog() {}

  /** Logs {@code step}, what {@code r} did to {@code server}, which was {@code from}. */
  static void outcome(
      Pool pool,
      HealthConfig config,
      String server,
      HealthProbe.Result r,
      CheckState.Step step,
      ServerState from,
      WeightOverride weight) {
    if (step.newlyIgnored() != null) {
      log.warn(
          "pool {}: server {}: ignoring its health response's agent header: {} (logged once until it changes)",
          pool.name(),
          server,
          step.newlyIgnored());
    }
    if (step.agentChanged() && step.target() == null) {
      log.info(
          "pool {}: server {} health response says {}: {}; it stays {}{}",
          pool.name(),
          server,
          AgentReport.STATE_HEADER,
          r.agent().state().wire(),
          from,
          from == ServerState.DISABLED || from == ServerState.DRAINING
              ? " (an operator's state outranks the agent)"
              : "");
    }
    if (step.weightChanged()) {
      int configured = pool.configuredWeight(server);
      log.info(
          "pool {}: server {} health response {}: {} (configured weight {}, balancing with {})",
          pool.name(),
          server,
          AgentReport.WEIGHT_HEADER,
          weight == null ? "none, back to the configured weight" : weight,
          configured,
          weight == null ? configured : weight.apply(configured));
    }
    ServerState to = step.target();
    if (to == null) {
      if (step.health() != ServerHealth.Change.NONE) {
        log.info(
            "pool {}: server {} is {} by its health checks ({}) but stays {}",
            pool.name(),
            server,
            step.health() == ServerHealth.Change.WENT_DOWN ? "unhealthy" : "healthy",
            r.detail(),
            from);
      } else {
        log.debug(
            "pool {}: server {} health check {}: {}",
            pool.name(),
            server,
            r.passed() ? "passed" : "failed",
            r.detail());
      }
      return;
    }
    if (step.health() == ServerHealth.Change.WENT_DOWN) {
      log.warn(
          "pool {}: server {} is DOWN after {} failed health checks (last: {})",
          pool.name(),
          server,
          config.fall(),
          r.detail());
    } else if (step.health() == ServerHealth.Change.WENT_UP && to == ServerState.UP) {
      log.info(
          "pool {}: server {} is UP after {} passed health checks ({})",
          pool.name(),
          server,
          config.rise(),
          r.detail());
    } else {
      String says =
          r.agent() == null
              ? "its health checks pass"
              : "its health response says "
                  + AgentReport.STATE_HEADER
                  + ": "
                  + r.agent().state().wire();
      if (to == ServerState.UP) {
        log.info("pool {}: server {} is UP (was {}): {}", pool.name(), server, from, says);
      } else {
        log.warn("pool {}: server {} is {} (was {}): {}", pool.name(), server, to, from, says);
      }
    }
  }
}
