package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;

/**
 * What one store measured.
 *
 * @param store the store's command-line name
 * @param detail what exactly ran
 * @param saves request-shaped delta saves
 * @param loads full loads
 * @param nearRequests sticky requests through the session manager and the near cache
 * @param nearCache what the near cache did during the timed near-cache rounds
 * @param redis Redis command counts, or {@code null} for other stores
 */
public record StoreResult(
    String store,
    String detail,
    Phase saves,
    Phase loads,
    Phase nearRequests,
    NearCache nearCache,
    Redis redis) {

  public StoreResult {
    requireNonNull(store, "store");
    requireNonNull(detail, "detail");
    requireNonNull(saves, "saves");
    requireNonNull(loads, "loads");
    requireNonNull(nearRequests, "nearRequests");
    requireNonNull(nearCache, "nearCache");
  }

  /**
   * One operation over all timed rounds.
   *
   * @param perSecond the median round's throughput, all threads together
   * @param minPerSecond the slowest round's
   * @param maxPerSecond the fastest round's
   * @param ops calls in all timed rounds
   * @param failures calls that threw or did not do what was asked
   * @param p50Micros median latency of one call, microseconds
   * @param p99Micros 99th percentile latency, microseconds
   * @param firstFailure the first failure's description, or {@code null}
   */
  public record Phase(
      double perSecond,
      double minPerSecond,
      double maxPerSecond,
      long ops,
      long failures,
      double p50Micros,
      double p99Micros,
      String firstFailure) {}

  /**
   * The near cache during the timed rounds (after each round's priming pass).
   *
   * @param requests requests made
   * @param fullReads full loads that reached the store (target 0: a sticky request is a hit)
   * @param versionChecks version checks that reached the store
   * @param saves saves that reached the store
   * @param hits loads the cache answered after a version check
   */
  public record NearCache(
      long requests, long fullReads, long versionChecks, long saves, long hits) {

    /** Full reads per request. */
    public double fullReadsPerRequest() {
      return requests == 0 ? 0 : (double) fullReads / requests;
    }
  }

  /**
   * Redis commands per operation.
   *
   * @param clientPerSave commands the store sent per save, counted over every timed round
   * @param clientPerLoad per full load
   * @param clientPerNearRequest per near-cache request
   * @param serverSave what the server executed in a single-thread counting pass of saves
   * @param serverLoad the same for loads
   * @param serverNearRequest the same for near-cache requests
   */
  public record Redis(
      double clientPerSave,
      double clientPerLoad,
      double clientPerNearRequest,
      ServerCount serverSave,
      ServerCount serverLoad,
      ServerCount serverNearRequest) {}

  /**
   * Server-side counts ({@code INFO}) around a single-thread counting pass.
   *
   * @param ops operations in the pass
   * @param clientCommands commands the store sent meanwhile
   * @param serverReads requests the server read meanwhile (all clients): its round trips
   * @param calls calls per command the server executed meanwhile, including those a script ran
   *     inside the server (all clients)
   * @param exclusive whether {@code serverReads == clientCommands}, i.e. no other client was busy
   *     (else the pass was retried; this is the last attempt)
   * @param attempts passes run to get an exclusive window
   */
  public record ServerCount(
      long ops,
      long clientCommands,
      long serverReads,
      Map<String, Long> calls,
      boolean exclusive,
      int attempts) {

    public ServerCount {
      calls = Map.copyOf(calls);
    }

    /** Round trips per operation as the server read them. */
    public double readsPerOp() {
      return ops == 0 ? 0 : serverReads / (double) ops;
    }

    /** Calls per operation by command, e.g. {@code 1.00 EVALSHA + 3.00 HSET}. */
    public String breakdown() {
      StringBuilder b = new StringBuilder();
      calls.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(
              e ->
                  b.append(b.isEmpty() ? "" : " + ")
                      .append(
                          String.format(
                              Locale.ROOT,
                              "%.2f %s",
                              e.getValue() / (double) ops,
                              e.getKey().toUpperCase(Locale.ROOT))));
      return b.isEmpty() ? "none" : b.toString();
    }
  }
}
