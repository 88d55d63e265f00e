package dev.tether.proxy.outlier;

import dev.tether.balance.Pool;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.health.HealthChecker;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds the passive health checks and panic settings of every pool of a configuration, and keeps
 * them across reloads.
 */
public final class OutlierDetectors {

  private OutlierDetectors() {}

  /**
   * Sets every pool's panic threshold and panic log, and gives each pool with an {@code outlier}
   * section its detector. A detector from {@code previous} whose pool object and settings are
   * unchanged is kept (its ejections and backoff survive the reload); the others are closed, which
   * returns the servers they ejected, before their replacements start.
   *
   * @param pools the pools of {@code c} by name, already updated to its servers
   * @param env time, timers and meters for new detectors
   * @return the detectors by pool name; pools without {@code outlier} have none
   */
  public static Map<String, OutlierDetector> build(
      TetherConfig c,
      Map<String, Pool> pools,
      Map<String, OutlierDetector> previous,
      OutlierDetector.Env env) {
    Map<String, OutlierDetector> kept = new HashMap<>();
    for (Map.Entry<String, OutlierDetector> old : previous.entrySet()) {
      PoolConfig pc = c.pools().get(old.getKey());
      OutlierDetector d = old.getValue();
      if (pc != null && d.pool() == pools.get(pc.name()) && d.config().equals(pc.outlier())) {
        d.serversChanged();
        kept.put(pc.name(), d);
      } else {
        d.close();
      }
    }
    Map<String, OutlierDetector> out = new HashMap<>();
    for (PoolConfig pc : c.pools().values()) {
      Pool pool = pools.get(pc.name());
      pool.setPanicThreshold(pc.panicThreshold());
      PanicLog.watch(pool);
      if (pc.outlier() != null) {
        OutlierDetector d = kept.get(pc.name());
        out.put(pc.name(), d != null ? d : new OutlierDetector(pool, pc.outlier(), env));
      }
    }
    return out;
  }

  /** Lets a passing active check return a server that its pool's detector ejected. */
  public static void link(
      Map<String, HealthChecker> checkers, Map<String, OutlierDetector> detectors) {
    for (Map.Entry<String, HealthChecker> e : checkers.entrySet()) {
      OutlierDetector d = detectors.get(e.getKey());
      if (d != null) {
        e.getValue().onProbe(d::probed);
      }
    }
  }
}
