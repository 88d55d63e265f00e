package dev.tether.proxy.analytics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The request meters of one server: a latency histogram ({@code
 * tether_server_request_duration_seconds{pool,server}}, its {@code _count} is the requests) and the
 * 5xx answers ({@code tether_server_errors_total{pool,server}}). Recording is a Micrometer timer
 * update (lock-free bucket increment) and, for a 5xx, a counter increment.
 */
final class ServerTraffic {

  /** Latency bucket bounds: sub-millisecond to a minute, 17 buckets. */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(0).plusNanos(250_000),
    Duration.ofMillis(0).plusNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2).plusNanos(500_000),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  final String pool;
  final String server;
  final Timer latency;
  final Counter errors;

  ServerTraffic(MeterRegistry registry, String pool, String server) {
    this.pool = pool;
    this.server = server;
    this.latency =
        Timer.builder("tether.server.request.duration")
            .description(
                "time from a request's first byte to the end of its answer, per server that served it")
            .tags("pool", pool, "server", server)
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    this.errors =
        Counter.builder("tether.server.errors")
            .description(
                "answers with a 5xx status (the server's own, or Tether's 502/503/504 for it)")
            .tags("pool", pool, "server", server)
            .register(registry);
  }

  void record(int status, long nanos) {
    latency.record(nanos, TimeUnit.NANOSECONDS);
    if (status >= 500) {
      errors.increment();
    }
  }

  /** {requests, errors, cumulative count per latency bucket...}. */
  double[] reading() {
    HistogramSnapshot snap = latency.takeSnapshot();
    CountAtBucket[] buckets = snap.histogramCounts();
    double[] out = new double[2 + LATENCY_BUCKETS.length];
    out[0] = snap.count();
    out[1] = errors.count();
    for (int i = 0; i < buckets.length && i < LATENCY_BUCKETS.length; i++) {
      out[2 + i] = buckets[i].count();
    }
    return out;
  }

  /** Latency bucket bounds in milliseconds, with +Inf last. */
  static double[] boundsMillis() {
    double[] b = new double[LATENCY_BUCKETS.length + 1];
    for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
      b[i] = LATENCY_BUCKETS[i].toNanos() / 1e6;
    }
    b[LATENCY_BUCKETS.length] = Double.POSITIVE_INFINITY;
    return b;
  }
}
