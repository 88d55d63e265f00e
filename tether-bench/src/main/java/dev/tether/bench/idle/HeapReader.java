package dev.tether.bench.idle;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The balancer's JVM heap in use, from its admin API's Prometheus {@code /metrics}: the sum of
 * {@code jvm_memory_used_bytes} over the {@code area="heap"} pools. Heap use moves with garbage
 * collection, so it is a hint next to the RSS, not a measurement of its own.
 */
final class HeapReader {

  private final URI metrics;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  HeapReader(URI admin) {
    String base = admin.toString();
    this.metrics = URI.create(base.endsWith("/") ? base + "metrics" : base + "/metrics");
  }

  /** Heap bytes in use, or {@code null} when the admin API cannot be read. */
  Long heapUsedBytes() {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? sumHeap(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Sums the heap pools' {@code jvm_memory_used_bytes} in a Prometheus text page; {@code null}:
   * none.
   */
  static Long sumHeap(String page) {
    double sum = 0;
    boolean found = false;
    for (String line : page.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        String value = line.substring(line.lastIndexOf('}') + 1).strip().split("\\s+")[0];
        sum += Double.parseDouble(value);
        found = true;
      }
    }
    return found ? Math.round(sum) : null;
  }
}
