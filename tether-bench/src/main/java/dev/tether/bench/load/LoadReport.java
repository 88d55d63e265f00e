package dev.tether.bench.load;

import dev.tether.bench.load.chaos.ChaosOutcome;
import java.util.List;
import java.util.Map;

/**
 * The result of a run, as {@code --json} writes it.
 *
 * @param scenario the scenario's name
 * @param url the target
 * @param users virtual users
 * @param seconds the run's length
 * @param model {@code closed} or {@code open}
 * @param rate the open model's requests per second, else {@code null}
 * @param requests requests answered or failed
 * @param requestsPerSecond requests over the run's length
 * @param errors answers that did not match and say nothing about the session (e.g. a 500)
 * @param failures requests that got no answer, or a 502/503/504 from the balancer
 * @param failuresAtKill of those, POSTs that were in flight on an instance when it was killed
 *     (allowed: not in {@code failures})
 * @param lostSessions answers showing a lost or stale session
 * @param latencyMillis latency from the intended send time
 * @param perInstance requests answered per instance
 * @param lostSamples the first lost-session answers
 * @param errorSamples the first errors and failures
 * @param chaos what each chaos action did
 */
public record LoadReport(
    String scenario,
    String url,
    int users,
    double seconds,
    String model,
    Double rate,
    long requests,
    double requestsPerSecond,
    long errors,
    long failures,
    long failuresAtKill,
    long lostSessions,
    Latency latencyMillis,
    Map<String, Long> perInstance,
    List<Sample> lostSamples,
    List<Sample> errorSamples,
    List<ChaosOutcome> chaos) {

  /** Latency percentiles in milliseconds. */
  public record Latency(double p50, double p90, double p99, double p999, double max, double mean) {}
}
