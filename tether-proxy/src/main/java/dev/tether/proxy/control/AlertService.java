package dev.tether.proxy.control;

import dev.tether.proxy.alert.AlertEvaluator;
import dev.tether.proxy.alert.AlertNotifier;
import dev.tether.proxy.alert.WebhookNotifier;
import dev.tether.proxy.analytics.Analytics;
import dev.tether.proxy.config.AlertsConfig;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the alert evaluator of the balancer process on a daemon thread of its own, every {@code
 * alerts.interval}, never on the data plane; a reload replaces the rules and, when the webhook
 * changed, the notifier.
 */
final class AlertService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AlertService.class);
  private static final AlertNotifier LOG_ONLY =
      new AlertNotifier() {
        @Override
        public void fired(dev.tether.proxy.alert.Alert alert, Instant at) {}

        @Override
        public void resolved(dev.tether.proxy.alert.Alert alert, Instant at) {}
      };

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("tether-alerts").daemon().factory());
  private final AlertEvaluator evaluator;
  private HttpClient http;
  private AlertsConfig applied;
  private AlertNotifier notifier = LOG_ONLY;
  private ScheduledFuture<?> task;

  AlertService(Analytics analytics, Clock clock) {
    this.evaluator = new AlertEvaluator(clock, analytics::signals, LOG_ONLY);
  }

  AlertEvaluator evaluator() {
    return evaluator;
  }

  /** Applies the {@code alerts} section of a (re)loaded configuration. */
  synchronized void apply(AlertsConfig c) {
    if (applied == null || !Objects.equals(applied.webhook(), c.webhook())) {
      if (c.webhook() == null) {
        notifier = LOG_ONLY;
      } else {
        if (http == null) {
          http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        }
        notifier = new WebhookNotifier(c.webhook(), http, timer);
      }
    }
    evaluator.rules(c.rules(), notifier);
    if (applied == null || !applied.interval().equals(c.interval())) {
      if (task != null) {
        task.cancel(false);
      }
      long ms = c.interval().toMillis();
      task = timer.scheduleWithFixedDelay(this::evaluate, ms, ms, TimeUnit.MILLISECONDS);
    }
    applied = c;
  }

  private void evaluate() {
    try {
      evaluator.evaluate();
    } catch (RuntimeException e) {
      log.error("alert evaluation failed", e);
    }
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    if (http != null) {
      http.close();
    }
  }
}
