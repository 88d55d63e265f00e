package dev.tether.proxy.runtime;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Steady GET load through the proxy for integration tests: {@code workers} threads share one JDK
 * HTTP client, so its connection pool keeps about that many keep-alive connections busy. Counts
 * answers by the backend that served them ({@code X-Server}) and every failure (an exception or a
 * status other than 200) with its reason.
 */
public final class LoadHammer implements AutoCloseable {

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final URI uri;
  private final List<Thread> workers = new ArrayList<>();
  private final LongAdder ok = new LongAdder();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<String, LongAdder> served = new ConcurrentHashMap<>();
  private volatile boolean running = true;

  private LoadHammer(URI uri) {
    this.uri = uri;
  }

  /** Starts {@code workers} threads sending GETs of {@code uri} back to back. */
  public static LoadHammer start(URI uri, int workers) {
    LoadHammer h = new LoadHammer(uri);
    for (int i = 0; i < workers; i++) {
      h.workers.add(Thread.ofPlatform().daemon().name("load-" + i).start(h::run));
    }
    return h;
  }

  private void run() {
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
    while (running) {
      try {
        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          ok.increment();
          served
              .computeIfAbsent(
                  r.headers().firstValue("X-Server").orElse("(none)"), k -> new LongAdder())
              .increment();
        } else {
          failures.add(r.statusCode() + " " + r.body());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (running) {
          failures.add(e.toString());
        }
      }
    }
  }

  /** Successful answers so far. */
  public long ok() {
    return ok.sum();
  }

  /** Answers served by backend {@code name} so far. */
  public long servedBy(String name) {
    LongAdder a = served.get(name);
    return a == null ? 0 : a.sum();
  }

  /** Every failure so far, with its reason. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  /** Stops sending and waits for the requests in flight to finish. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : workers) {
      t.join(Duration.ofSeconds(15));
    }
    client.close();
  }
}
