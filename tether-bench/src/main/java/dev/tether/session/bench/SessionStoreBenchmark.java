package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Measures every session store the same way, so their figures compare: saves/s of a request-shaped
 * delta (1 of 10 attributes of ~100 bytes plus the last access), loads/s of the whole session, and
 * sticky requests/s through the session manager and the near cache with the full reads they caused
 * counted (target 0), each with p50/p99 latency, at a fixed concurrency (default 8 threads). For
 * Redis it counts the commands per operation on the client (Lettuce command listener) and on the
 * server ({@code INFO commandstats}); target 1 per save and no {@code HGETALL} on a near-cache hit,
 * against Spring Session's ~7 per request.
 *
 * <p>Stores with a server read the {@code TETHER_TEST_*} variables the store tests use; without
 * them the store is reported as skipped. See {@link StoreWorkload} for exactly what each operation
 * does and {@link StoreCommand} for the options. Run:
 *
 * <pre>
 * source &lt;(bash .ci/services.sh)
 * ./tether bench store --stores memory,file,h2,postgresql,postgresql-replica,mariadb,redis,memcached,cookie,grid --threads 8 --seconds 5 --rounds 3
 * </pre>
 *
 * <p>Exit status: 0 when every requested store was measured or skipped, 1 when one failed or had
 * failed operations, 2 for a bad command line.
 */
public final class SessionStoreBenchmark {

  private static final Logger log = LoggerFactory.getLogger(SessionStoreBenchmark.class);

  private SessionStoreBenchmark() {}

  /** Runs {@code tether bench store} with {@code args}; see {@link StoreCommand}. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new StoreCommand()).execute(args));
  }

  /** Measures, prints the table (and the JSON file) and returns the exit status. */
  static int execute(BenchOptions options, Map<String, String> env, Clock clock) throws Exception {
    List<StoreOutcome> outcomes = run(options, env, clock, System.err);
    System.out.print(ResultTable.format(options.settings(), outcomes));
    if (options.json() != null) {
      writeJson(options, outcomes);
      System.out.println("\nJSON written to " + options.json());
    }
    boolean bad =
        outcomes.stream()
            .anyMatch(
                o ->
                    o.status().startsWith("failed")
                        || (o.result() != null
                            && o.result().saves().failures()
                                    + o.result().loads().failures()
                                    + o.result().nearRequests().failures()
                                > 0));
    return bad ? 1 : 0;
  }

  /**
   * Measures each store of {@code options} in turn; a store whose variable {@code env} lacks is
   * skipped, one that fails to open or run is reported as failed and the run goes on.
   */
  public static List<StoreOutcome> run(
      BenchOptions options, Map<String, String> env, Clock clock, PrintStream progress)
      throws InterruptedException {
    requireNonNull(options, "options");
    StoreOpener opener = new StoreOpener(env, clock, options.settings().threads());
    List<StoreOutcome> outcomes = new ArrayList<>();
    for (StoreTarget target : options.stores()) {
      Optional<String> missing = target.missingVariable(env);
      if (missing.isPresent()) {
        progress.printf("%s: skipped (set %s)%n", target.label(), missing.get());
        outcomes.add(StoreOutcome.skipped(target, missing.get()));
        continue;
      }
      outcomes.add(measure(opener, target, options.settings(), clock, progress));
    }
    return outcomes;
  }

  private static StoreOutcome measure(
      StoreOpener opener,
      StoreTarget target,
      BenchSettings settings,
      Clock clock,
      PrintStream progress)
      throws InterruptedException {
    try (OpenedStore opened = opener.open(target)) {
      return StoreOutcome.measured(StoreBench.run(opened, settings, clock, progress));
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      log.warn("store {} could not be measured", target.label(), e);
      return StoreOutcome.failed(target, e);
    }
  }

  private static void writeJson(BenchOptions options, List<StoreOutcome> outcomes)
      throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    BenchSettings s = options.settings();
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("threads", s.threads());
    settings.put("sessions", s.sessions());
    settings.put("attributes", BenchSettings.ATTRIBUTES);
    settings.put("valueBytes", BenchSettings.VALUE_BYTES);
    settings.put("warmupMillis", s.warmup().toMillis());
    settings.put("rounds", s.rounds());
    settings.put("roundMillis", s.round().toMillis());
    doc.put("settings", settings);
    doc.put("java", Runtime.version().toString());
    doc.put("cpus", Runtime.getRuntime().availableProcessors());
    doc.put("springSessionReference", ResultTable.SPRING_SESSION_REFERENCE);
    doc.put("outcomes", outcomes);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(options.json().toFile(), doc);
  }
}
