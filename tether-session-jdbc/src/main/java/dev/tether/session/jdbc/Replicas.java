package dev.tether.session.jdbc;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * Read replicas of a store's database, the monotonic ticker that times their back-off, and which of
 * the lag-tolerant reads go to them: principal listings and the sweep's candidate scan.
 */
record Replicas(
    List<DataSource> dataSources, LongSupplier nanoTime, boolean listings, boolean sweeps) {

  static final Replicas NONE = new Replicas(List.of(), System::nanoTime, false, false);

  Replicas {
    dataSources = List.copyOf(requireNonNull(dataSources, "replicas"));
    requireNonNull(nanoTime, "nanoTime");
  }
}
