package dev.tether.proxy.trace;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * Starts the span of one exchange from the client's request head. Thread-safe; called on event
 * loops, never blocks (span ends are queued to the exporter's own thread).
 *
 * <p>One span per exchange, of kind {@code SERVER}: it covers what the client waited for (routing,
 * the affinity decision, the backend hop with its retries, the streamed response), and its id is
 * the parent the backend sees. A separate {@code CLIENT} child for the backend hop would double the
 * spans per request for a hop that the backend's own {@code SERVER} span already measures.
 *
 * <p>Propagation: a valid incoming {@code traceparent} is the parent, and the sampler decides
 * (parent-based: a sampled parent is honoured). A sampled exchange replaces {@code traceparent} in
 * the forwarded request with one naming its own span and keeps {@code tracestate}. An unsampled
 * exchange leaves the headers as they came. A malformed {@code traceparent} counts as absent (W3C
 * Trace Context §3.2): it and its {@code tracestate} are removed and a new trace may start.
 */
public final class ExchangeTracer {

  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");

  private final Tracer tracer;

  /**
   * A tracer that makes its spans with {@code tracer} (its provider decides sampling and export).
   */
  public ExchangeTracer(Tracer tracer) {
    this.tracer = requireNonNull(tracer, "tracer");
  }

  /**
   * Starts the span of the exchange whose request has {@code headers}; {@code null} when the
   * exchange is not sampled (then nothing else needs doing for it).
   *
   * @param headers the request headers; a malformed {@code traceparent} is removed from them
   * @param method the request method
   * @param target the origin-form request target (path and query)
   */
  public ExchangeSpan start(HttpHeaders headers, String method, String target) {
    String incoming = headers.get(TraceParent.HEADER);
    SpanContext parent = TraceParent.parse(incoming);
    if (incoming != null && parent == null) {
      headers.remove(TraceParent.HEADER);
      headers.remove(TraceParent.STATE_HEADER);
    }
    Context context = parent == null ? Context.root() : Context.root().with(Span.wrap(parent));
    Span span =
        tracer
            .spanBuilder(spanName(method))
            .setParent(context)
            .setSpanKind(SpanKind.SERVER)
            .startSpan();
    if (!span.isRecording()) {
      return null; // not sampled: the request goes on as it came
    }
    int query = target.indexOf('?');
    span.setAttribute(METHOD, method);
    span.setAttribute(PATH, query < 0 ? target : target.substring(0, query));
    return new ExchangeSpan(span);
  }

  /** {@code HTTP METHOD}; constant for the usual methods, so naming allocates nothing. */
  static String spanName(String method) {
    return switch (method) {
      case "GET" -> "HTTP GET";
      case "POST" -> "HTTP POST";
      case "PUT" -> "HTTP PUT";
      case "DELETE" -> "HTTP DELETE";
      case "HEAD" -> "HTTP HEAD";
      case "PATCH" -> "HTTP PATCH";
      case "OPTIONS" -> "HTTP OPTIONS";
      default -> "HTTP " + method;
    };
  }
}
