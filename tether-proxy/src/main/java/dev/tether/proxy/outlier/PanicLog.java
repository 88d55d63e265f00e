package dev.tether.proxy.outlier;

import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.PoolSnapshot;
import dev.tether.balance.ServerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs a pool entering panic mode (WARN) and leaving it (INFO). */
public final class PanicLog {

  private static final Logger log = LoggerFactory.getLogger(PanicLog.class);

  private PanicLog() {}

  /** Makes {@code pool} log its panic changes from now on (replaces any earlier panic listener). */
  public static void watch(Pool pool) {
    pool.onPanicChange(s -> report(pool, s));
  }

  private static void report(Pool pool, PoolSnapshot s) {
    int inRotation = 0;
    int healthy = 0;
    for (Member m : s.members()) {
      if (m.state() == ServerState.UP || m.state() == ServerState.DOWN) {
        inRotation++;
        if (m.healthy()) {
          healthy++;
        }
      }
    }
    if (s.panic()) {
      log.warn(
          "pool {}: PANIC: {} of {} servers in rotation are healthy, below the panic threshold of {}%; "
              + "balancing over all {} of them, health ignored",
          pool.name(), healthy, inRotation, pool.panicThreshold(), inRotation);
    } else {
      log.info(
          "pool {}: leaves panic mode: {} of {} servers in rotation are healthy",
          pool.name(),
          healthy,
          inRotation);
    }
  }
}
