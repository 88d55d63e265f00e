package dev.tether.balance.affinity.policy;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityStats;
import dev.tether.balance.affinity.DrainRules;
import dev.tether.balance.affinity.table.StickTable;

/**
 * What the policies that remember a session's server in a stick table share: the table (closed with
 * the policy), and the bound-server resolution whose assigner holds the drain rules and the
 * counters.
 */
abstract class TablePolicy implements AffinityPolicy {

  /** The stick table, or {@code null} for a keyed policy that hashes instead. */
  final StickTable table;

  final BoundResolution resolution;

  TablePolicy(StickTable table, BoundResolution resolution) {
    this.table = table;
    this.resolution = requireNonNull(resolution, "resolution");
  }

  @Override
  public final StickTable table() {
    return table;
  }

  @Override
  public final void close() {
    if (table instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the stick table failed", e);
      }
    }
  }

  @Override
  public final void drainRules(DrainRules rules) {
    resolution.assigner().drain(rules);
  }

  @Override
  public final DrainRules drainRules() {
    return resolution.assigner().drain();
  }

  @Override
  public final AffinityStats stats() {
    return resolution.assigner().stats();
  }
}
