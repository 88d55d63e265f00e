package dev.tether.session.bench;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tether bench store}: the session store benchmark ({@link SessionStoreBenchmark}) as a
 * picocli subcommand. Exit status 0 when every store was measured or skipped, 1 when one failed, 2
 * for a bad command line.
 */
@Command(
    name = "store",
    mixinStandardHelpOptions = true,
    description =
        "Measure every session store the same way: saves/s, loads/s, near-cache requests/s, p50/p99.")
public final class StoreCommand implements Callable<Integer> {

  @Option(
      names = "--stores",
      split = ",",
      paramLabel = "LIST",
      description =
          "Stores to measure, default all: memory,file,h2,postgresql,postgresql-replica,mariadb,redis,memcached,cookie,grid.")
  List<String> stores;

  @Option(
      names = "--threads",
      defaultValue = "8",
      description = "Concurrent callers (default ${DEFAULT-VALUE}).")
  String threads;

  @Option(
      names = "--sessions",
      defaultValue = "2000",
      description = "Sessions created per store (default ${DEFAULT-VALUE}).")
  String sessions;

  @Option(
      names = "--warmup",
      defaultValue = "3",
      paramLabel = "SECONDS",
      description = "Untimed seconds per operation first (default ${DEFAULT-VALUE}).")
  String warmup;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "Timed rounds; throughput is the median (default ${DEFAULT-VALUE}).")
  String rounds;

  @Option(
      names = "--seconds",
      defaultValue = "5",
      paramLabel = "SECONDS",
      description = "Seconds per operation per round (default ${DEFAULT-VALUE}).")
  String seconds;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results to FILE.")
  Path json;

  /** The options as the benchmark's own {@link BenchOptions}, validated with the same messages. */
  BenchOptions options() {
    List<String> args = new ArrayList<>();
    if (stores != null) {
      args.add("--stores");
      args.add(String.join(",", stores));
    }
    args.addAll(
        List.of(
            "--threads",
            threads,
            "--sessions",
            sessions,
            "--warmup",
            warmup,
            "--rounds",
            rounds,
            "--seconds",
            seconds));
    if (json != null) {
      args.add("--json");
      args.add(json.toString());
    }
    return BenchOptions.parse(args.toArray(String[]::new));
  }

  @Override
  public Integer call() throws Exception {
    BenchOptions options;
    try {
      options = options();
    } catch (IllegalArgumentException e) {
      System.err.println("tether bench store: " + e.getMessage());
      return 2;
    }
    return SessionStoreBenchmark.execute(options, System.getenv(), Clock.systemUTC());
  }
}
