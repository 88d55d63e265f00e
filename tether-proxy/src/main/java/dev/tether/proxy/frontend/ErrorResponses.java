package dev.tether.proxy.frontend;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Short plain-text responses that Tether itself produces (502, 503, 504, 408, 404, ...). */
final class ErrorResponses {

  private ErrorResponses() {}

  /**
   * A response with a one-line body, e.g. {@code 503 Service Unavailable: no server available}.
   *
   * @param close whether to announce {@code Connection: close}
   */
  static FullHttpResponse of(
      ByteBufAllocator alloc,
      HttpVersion version,
      HttpResponseStatus status,
      String reason,
      boolean close) {
    byte[] body =
        (status.code() + " " + status.reasonPhrase() + (reason == null ? "" : ": " + reason) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r =
        new DefaultFullHttpResponse(version, status, alloc.buffer(body.length).writeBytes(body));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    if (close) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version == HttpVersion.HTTP_1_0) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return r;
  }

  /** A cause's message for a log line or an error body. */
  static String describe(Throwable t) {
    if (t == null) {
      return "unknown";
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }
}
