package dev.tether.proxy.trace;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import java.net.InetSocketAddress;

/**
 * The recording span of one sampled exchange. Confined to the exchange's event loop.
 *
 * <pre>{@code
 * ExchangeSpan span = tracer.start(request.headers(), "GET", "/cart");   // null: not sampled
 * span.forward(request.headers());                                      // before it is sent on
 * span.end(new ExchangeSpan.Outcome(200, "web", "s1", address, "cookie/hit", null, false));
 * }</pre>
 */
public final class ExchangeSpan {

  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> POOL = AttributeKey.stringKey("tether.pool");
  static final AttributeKey<String> SERVER = AttributeKey.stringKey("tether.server");
  static final AttributeKey<String> AFFINITY = AttributeKey.stringKey("tether.affinity");

  private final Span span;

  ExchangeSpan(Span span) {
    this.span = requireNonNull(span, "span");
  }

  /** This exchange's span context: the parent the backend is told about. */
  public SpanContext context() {
    return span.getSpanContext();
  }

  /** Sets {@code traceparent} in the request about to be forwarded to name this span. */
  public void forward(HttpHeaders headers) {
    headers.set(TraceParent.HEADER, TraceParent.format(span.getSpanContext()));
  }

  /**
   * How an exchange ended.
   *
   * @param status the status sent to the client (0 when none was)
   * @param pool the pool it was routed to, or {@code null}
   * @param server the server that served it (the last one tried), or {@code null}
   * @param backend that server's address, or {@code null}
   * @param affinity the affinity label, e.g. {@code cookie/hit}, or {@code null}
   * @param note why it ended as it did (error reasons), or {@code null}
   * @param cutShort the connection went away before the exchange finished
   */
  public record Outcome(
      int status,
      String pool,
      String server,
      InetSocketAddress backend,
      String affinity,
      String note,
      boolean cutShort) {}

  /** Records {@code outcome} and ends the span; an exchange's span ends once. */
  public void end(Outcome outcome) {
    if (outcome.status() > 0) {
      span.setAttribute(STATUS, outcome.status());
    }
    if (outcome.pool() != null) {
      span.setAttribute(POOL, outcome.pool());
    }
    if (outcome.server() != null) {
      span.setAttribute(SERVER, outcome.server());
    }
    if (outcome.backend() != null) {
      span.setAttribute(SERVER_ADDRESS, outcome.backend().getHostString());
      span.setAttribute(SERVER_PORT, outcome.backend().getPort());
    }
    if (outcome.affinity() != null) {
      span.setAttribute(AFFINITY, outcome.affinity());
    }
    // OpenTelemetry HTTP semantic conventions: on a SERVER span only 5xx (or a failure to
    // answer at all) is an error; 4xx is the client's.
    if (outcome.status() >= 500 || outcome.cutShort()) {
      span.setStatus(StatusCode.ERROR, outcome.note() == null ? "" : outcome.note());
    }
    span.end();
  }
}
