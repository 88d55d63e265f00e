package dev.tether.proxy.alert;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.proxy.config.AlertsConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs every firing and resolved alert to {@code alerts.webhook.url} as JSON: the alert's {@code
 * GET /api/alerts} fields plus {@code "status": "firing" | "resolved"} and, when resolved, {@code
 * "resolvedAt"}. Sent with the JDK HTTP client's asynchronous API, so neither the evaluator nor the
 * data plane ever waits; a failed POST (no answer within the timeout, or a status other than 2xx)
 * is retried after {@code backoff}, doubling, up to {@code attempts} tries, then logged and
 * dropped. An alert's resolution is sent after its firing has been delivered (or given up), so a
 * receiver sees them in order. At most {@value #MAX_PENDING} deliveries wait at once; beyond, new
 * ones are dropped with a warning.
 */
public final class WebhookNotifier implements AlertNotifier {

  private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
  static final int MAX_PENDING = 1000;

  private final AlertsConfig.Webhook config;
  private final HttpClient http;
  private final ScheduledExecutorService retries;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger pending = new AtomicInteger();

  /** The firing delivery of each active alert, by identity, so its resolution follows it. */
  private final Map<String, CompletableFuture<Void>> firing = new ConcurrentHashMap<>();

  /**
   * @param retries schedules retries only (the POSTs are asynchronous); not shut down here
   */
  public WebhookNotifier(
      AlertsConfig.Webhook config, HttpClient http, ScheduledExecutorService retries) {
    this.config = requireNonNull(config, "config");
    this.http = requireNonNull(http, "http");
    this.retries = requireNonNull(retries, "retries");
  }

  @Override
  public void fired(Alert alert, Instant at) {
    firing.put(key(alert), deliver(body(alert, "firing", null)));
  }

  @Override
  public void resolved(Alert alert, Instant at) {
    byte[] body = body(alert, "resolved", at);
    CompletableFuture<Void> before = firing.remove(key(alert));
    if (before == null) {
      deliver(body);
    } else {
      before.whenComplete((v, t) -> deliver(body));
    }
  }

  private static String key(Alert a) {
    return a.name() + "\u0000" + a.pool() + "\u0000" + a.server();
  }

  private byte[] body(Alert alert, String status, Instant resolvedAt) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("status", status);
    m.putAll(alert.toJson());
    if (resolvedAt != null) {
      m.put("resolvedAt", resolvedAt.toString());
    }
    try {
      return json.writeValueAsBytes(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write alert " + alert.name() + " as JSON", e);
    }
  }

  private CompletableFuture<Void> deliver(byte[] body) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      log.warn(
          "alert webhook {}: {} deliveries are waiting; dropped one", config.url(), MAX_PENDING);
      done.complete(null);
      return done;
    }
    done.whenComplete((v, t) -> pending.decrementAndGet());
    attempt(body, 1, done);
    return done;
  }

  private void attempt(byte[] body, int n, CompletableFuture<Void> done) {
    HttpRequest request =
        HttpRequest.newBuilder(config.url())
            .timeout(config.timeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (r, t) -> {
              if (t == null && r.statusCode() / 100 == 2) {
                done.complete(null);
                return;
              }
              String why = t != null ? t.toString() : "status " + r.statusCode();
              if (n >= config.attempts()) {
                log.warn(
                    "alert webhook {}: giving up after {} attempts (last: {})",
                    config.url(),
                    n,
                    why);
                done.complete(null);
                return;
              }
              long delay = config.backoff().toMillis() << Math.min(n - 1, 20);
              log.info(
                  "alert webhook {}: attempt {} failed ({}); retrying in {} ms",
                  config.url(),
                  n,
                  why,
                  delay);
              try {
                retries.schedule(() -> attempt(body, n + 1, done), delay, TimeUnit.MILLISECONDS);
              } catch (java.util.concurrent.RejectedExecutionException e) {
                done.complete(null); // shutting down
              }
            });
  }
}
