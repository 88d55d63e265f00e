package dev.tether.proxy.analytics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sampling of a pool's session analytics; the body of {@code GET /api/pools/{pool}/sessions}.
 *
 * @param pool the pool's name
 * @param live live affinity sessions in the pool
 * @param birthRatePerSecond new affinity keys per second over the last minute
 * @param imbalance max / mean of live sessions over servers taking work, {@code NaN} when none
 * @param lifespan lifespans (first to last sighting) of the sessions that ended, in seconds
 * @param servers per server, in configuration order
 */
public record PoolFigures(
    String pool,
    long live,
    double birthRatePerSecond,
    double imbalance,
    Lifespan lifespan,
    List<ServerFigures> servers) {

  /** Lifespan statistics in seconds; percentiles interpolated in histogram buckets. */
  public record Lifespan(long count, double mean, double p50, double p90, double p99, double max) {}

  /**
   * One server: state, live sessions, requests and 5xx per second and latency percentiles over the
   * last minute, and its instance's figures ({@code null} when not scraped).
   */
  public record ServerFigures(
      String name,
      String state,
      long live,
      double requestsPerSecond,
      double errorsPerSecond,
      double latencyP50Ms,
      double latencyP99Ms,
      InstanceFigures instance) {}

  public PoolFigures {
    servers = List.copyOf(servers);
  }

  /** The JSON shape of the admin API; unknown numbers are {@code null}. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pool", pool);
    m.put("live", live);
    m.put("birthRatePerSecond", num(birthRatePerSecond));
    m.put("imbalance", num(imbalance));
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("count", lifespan.count());
    l.put("mean", num(lifespan.mean()));
    l.put("p50", num(lifespan.p50()));
    l.put("p90", num(lifespan.p90()));
    l.put("p99", num(lifespan.p99()));
    l.put("max", num(lifespan.max()));
    m.put("lifespanSeconds", l);
    List<Map<String, Object>> ss = new ArrayList<>();
    for (ServerFigures s : servers) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("name", s.name());
      j.put("state", s.state());
      j.put("live", s.live());
      j.put("requestsPerSecond", num(s.requestsPerSecond()));
      j.put("errorsPerSecond", num(s.errorsPerSecond()));
      j.put("latencyP50Ms", num(s.latencyP50Ms()));
      j.put("latencyP99Ms", num(s.latencyP99Ms()));
      InstanceFigures in = s.instance();
      if (in == null) {
        j.put("instance", null);
      } else {
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("sessions", Double.isNaN(in.sessions()) ? null : Math.round(in.sessions()));
        i.put("sessionSizeP99Bytes", num(in.sessionSizeP99Bytes()));
        i.put(
            "storeLatencyP99Ms",
            Double.isNaN(in.storeLatencyP99Seconds())
                ? null
                : round(in.storeLatencyP99Seconds() * 1000));
        j.put("instance", i);
      }
      ss.add(j);
    }
    m.put("servers", ss);
    return m;
  }

  private static Double num(double d) {
    return Double.isFinite(d) ? round(d) : null;
  }

  private static double round(double d) {
    return Math.round(d * 1000) / 1000.0;
  }
}
