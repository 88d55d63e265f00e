package dev.tether.session.grid;

/** Which Infinispan failures mean the grid cannot serve a call now (an outage of the store). */
final class GridOutages {

  private GridOutages() {}

  /**
   * Whether {@code t}, one of its causes or one of their suppressed exceptions is how Infinispan
   * says it cannot serve a call now rather than that the call is wrong: {@code
   * org.infinispan.commons.TimeoutException} (a remote call, a lock, state transfer), {@code
   * AvailabilityException} (a degraded partition), {@code SuspectException} (the member the call
   * went to left or is suspected), {@code CacheUnreachableException}, {@code
   * IllegalLifecycleStateException} (the cache or member is stopping or stopped), {@code
   * OutdatedTopologyException} (the topology changed under the call) or {@code
   * CacheBackpressureFullException}.
   */
  static boolean isOutage(Throwable t) {
    return isOutage(t, 0);
  }

  private static boolean isOutage(Throwable t, int depth) {
    for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) {
      if (c instanceof org.infinispan.commons.TimeoutException
          || c instanceof org.infinispan.partitionhandling.AvailabilityException
          || c instanceof org.infinispan.remoting.transport.jgroups.SuspectException
          || c instanceof org.infinispan.remoting.CacheUnreachableException
          || c instanceof org.infinispan.commons.IllegalLifecycleStateException
          || c instanceof org.infinispan.statetransfer.OutdatedTopologyException
          || c instanceof org.infinispan.commons.util.concurrent.CacheBackpressureFullException) {
        return true;
      }
      for (Throwable s : c.getSuppressed()) {
        if (isOutage(s, depth + 1)) {
          return true;
        }
      }
    }
    return false;
  }
}
