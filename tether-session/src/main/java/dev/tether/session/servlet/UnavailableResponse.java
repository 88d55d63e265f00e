package dev.tether.session.servlet;

import dev.tether.session.circuit.StoreUnavailableException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code 503} a request gets while its session store is unavailable, and the rate-limited log
 * line about such requests: one {@code WARN} line at most every {@link #LOG_INTERVAL_NANOS}, with
 * the number of requests refused since the previous line (the breaker logs its own transitions).
 */
final class UnavailableResponse {

  private static final Logger log = LoggerFactory.getLogger(TetherSessionFilter.class);

  static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final LongSupplier nanoTime;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong late = new AtomicLong();
  private final AtomicLong nextLog;

  UnavailableResponse(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.nextLog = new AtomicLong(nanoTime.getAsLong());
  }

  /** Answers {@code 503} when the response can still be changed; logs (rate-limited) either way. */
  void respond(HttpServletResponse response, StoreUnavailableException e) throws IOException {
    boolean answered = false;
    if (!response.isCommitted()) {
      response.reset(); // drops the application's status, headers (Set-Cookie too) and body
      long seconds = e.retryAfterSeconds();
      response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      response.setHeader("Retry-After", Long.toString(seconds));
      response.setHeader("Cache-Control", "no-store");
      response.setContentType("text/plain;charset=utf-8");
      byte[] body =
          ("Sessions are unavailable for a moment; please retry in " + seconds + " s.\n")
              .getBytes(StandardCharsets.UTF_8);
      response.setContentLength(body.length);
      try {
        response.getOutputStream().write(body);
      } catch (IllegalStateException usedWriter) { // a container that keeps getWriter() after reset
        response.getWriter().write(new String(body, StandardCharsets.UTF_8));
      }
      answered = true;
    }
    (answered ? refused : late).incrementAndGet();
    long now = nanoTime.getAsLong();
    long due = nextLog.get();
    if (now - due >= 0 && nextLog.compareAndSet(due, now + LOG_INTERVAL_NANOS)) {
      long n = refused.getAndSet(0);
      long committed = late.getAndSet(0);
      log.warn(
          "session store '{}' unavailable since {}: {} request(s) answered 503 with Retry-After {}"
              + " since the last such line, {} more whose response was already committed; last: {}",
          e.store(),
          e.since(),
          n,
          e.retryAfterSeconds(),
          committed,
          e.getMessage());
    }
  }
}
