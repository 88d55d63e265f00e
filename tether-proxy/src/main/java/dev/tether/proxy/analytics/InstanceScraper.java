package dev.tether.proxy.analytics;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.InstanceMetricsConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes every server of one pool for its session metrics ({@code pools.<pool>.instance-metrics}):
 * every {@code interval} a {@code GET path} on a virtual thread per server, as the health checker
 * probes, with a timeout; the answer is parsed as Prometheus text into {@link InstanceFigures}. An
 * instance that is down, slow or answers garbage loses its figures (they read as not scraped) and
 * is tried again at the next interval; this is logged at debug level, once per change.
 *
 * <p>Thread-safe; {@link #close()} stops further scrapes.
 */
final class InstanceScraper implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InstanceScraper.class);

  private final String pool;
  private final InstanceMetricsConfig config;
  private final HttpClient http;
  private final Map<String, InstanceFigures> figures = new ConcurrentHashMap<>();
  private final Map<String, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private volatile boolean closed;

  InstanceScraper(
      String pool,
      InstanceMetricsConfig config,
      Map<String, InetSocketAddress> servers,
      ScheduledExecutorService scheduler,
      HttpClient http) {
    this.pool = requireNonNull(pool, "pool");
    this.config = requireNonNull(config, "config");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.http = requireNonNull(http, "http");
    for (Map.Entry<String, InetSocketAddress> e : servers.entrySet()) {
      InetSocketAddress a = e.getValue();
      URI uri = URI.create("http://" + a.getHostString() + ":" + a.getPort() + config.path());
      schedule(e.getKey(), uri, 0);
    }
  }

  /**
   * The latest figures of {@code server}, or {@code null} when its last scrape failed or none ran
   * yet.
   */
  InstanceFigures figures(String server) {
    return figures.get(server);
  }

  private void schedule(String server, URI uri, long delayNanos) {
    if (!closed) {
      timers.put(
          server,
          scheduler.schedule(
              () ->
                  Thread.ofVirtual()
                      .name("tether-scrape-" + pool + "-" + server)
                      .start(() -> run(server, uri)),
              delayNanos,
              TimeUnit.NANOSECONDS));
    }
  }

  private void run(String server, URI uri) {
    try {
      scrape(server, uri);
    } finally {
      schedule(server, uri, config.interval().toNanos());
    }
  }

  void scrape(String server, URI uri) {
    String problem;
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(config.timeout()).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        InstanceFigures next =
            InstanceFigures.of(PrometheusText.parse(r.body()), figures.get(server));
        if (!closed) {
          if (figures.put(server, next) == null) {
            log.debug("pool {}: scraping {} of server {} works", pool, uri, server);
          }
        }
        return;
      }
      problem = "status " + r.statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      problem = e.toString();
    }
    if (figures.remove(server) != null) {
      log.debug("pool {}: scraping {} of server {} failed: {}", pool, uri, server, problem);
    }
  }

  @Override
  public void close() {
    closed = true;
    timers.values().forEach(f -> f.cancel(false));
  }
}
