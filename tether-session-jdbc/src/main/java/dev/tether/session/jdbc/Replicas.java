package dev.tether.session.jdbc;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/** Read replicas of a store's database and the monotonic ticker that times their back-off. */
record Replicas(List<DataSource> dataSources, LongSupplier nanoTime) {

  static final Replicas NONE = new Replicas(List.of(), System::nanoTime);

  Replicas {
    dataSources = List.copyOf(requireNonNull(dataSources, "replicas"));
    requireNonNull(nanoTime, "nanoTime");
  }
}
