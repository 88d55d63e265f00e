package dev.tether.proxy.analytics;

import dev.tether.proxy.analytics.PrometheusText.Sample;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one scrape of an app instance's session metrics says, with the cumulative histograms kept so
 * the next scrape's p99 covers only what happened in between.
 *
 * @param sessions {@code tether_sessions_active}, or {@code NaN} when the instance does not export
 *     it
 * @param sessionSizeP99Bytes p99 of {@code tether_sessions_size_bytes} since the previous scrape
 *     (the previous figure when no session was written in between), or {@code NaN}
 * @param storeLatencyP99Seconds p99 of {@code tether_sessions_store_latency_seconds} over every
 *     operation since the previous scrape (likewise), or {@code NaN}
 * @param sizeBuckets cumulative size histogram: upper bound → count
 * @param latencyBuckets cumulative store-latency histogram summed over operations: bound → count
 */
record InstanceFigures(
    double sessions,
    double sessionSizeP99Bytes,
    double storeLatencyP99Seconds,
    Map<Double, Double> sizeBuckets,
    Map<Double, Double> latencyBuckets) {

  static final String SESSIONS = "tether_sessions_active";
  static final String SIZE = "tether_sessions_size_bytes_bucket";
  static final String LATENCY = "tether_sessions_store_latency_seconds_bucket";

  /** The figures of {@code samples}, relative to {@code previous} (may be null). */
  static InstanceFigures of(List<Sample> samples, InstanceFigures previous) {
    double sessions = Double.NaN;
    Map<Double, Double> size = new TreeMap<>();
    Map<Double, Double> latency = new TreeMap<>();
    for (Sample s : samples) {
      switch (s.name()) {
        case SESSIONS -> sessions = Double.isNaN(sessions) ? s.value() : sessions + s.value();
        case SIZE -> addBucket(size, s);
        case LATENCY -> addBucket(latency, s);
        default -> {}
      }
    }
    double sizeP99 =
        p99(
            size,
            previous == null ? null : previous.sizeBuckets(),
            previous == null ? Double.NaN : previous.sessionSizeP99Bytes());
    double latencyP99 =
        p99(
            latency,
            previous == null ? null : previous.latencyBuckets(),
            previous == null ? Double.NaN : previous.storeLatencyP99Seconds());
    return new InstanceFigures(
        sessions, sizeP99, latencyP99, Map.copyOf(size), Map.copyOf(latency));
  }

  private static void addBucket(Map<Double, Double> buckets, Sample s) {
    String le = s.labels().get("le");
    if (le == null) {
      return;
    }
    double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    buckets.merge(bound, s.value(), Double::sum);
  }

  private static double p99(
      Map<Double, Double> now, Map<Double, Double> before, double previousP99) {
    if (now.isEmpty()) {
      return Double.NaN;
    }
    double[] bounds = new double[now.size()];
    double[] counts = new double[now.size()];
    int i = 0;
    boolean restarted = false;
    for (Map.Entry<Double, Double> e : now.entrySet()) {
      bounds[i] = e.getKey();
      double was = before == null ? 0 : before.getOrDefault(e.getKey(), 0.0);
      if (e.getValue() < was) {
        restarted = true; // the instance restarted: its counters began again
      }
      counts[i++] = e.getValue() - was;
    }
    if (restarted) {
      return p99(now, null, previousP99);
    }
    if (counts[counts.length - 1] <= 0) {
      return previousP99;
    }
    return Buckets.quantile(bounds, counts, 0.99);
  }
}
