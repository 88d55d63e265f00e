package dev.tether.demo.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /tether/metrics}: this instance's session metrics in the Prometheus text format
 * ({@code tether_sessions_active}, {@code tether_sessions_size_bytes}, {@code
 * tether_sessions_store_latency_seconds{operation}}, and the other {@code tether_sessions_*}).
 */
final class MetricsServlet extends HttpServlet {

  private final transient PrometheusMeterRegistry registry;

  MetricsServlet(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
    resp.setHeader("Cache-Control", "no-store");
    resp.getWriter().write(registry.scrape());
  }
}
