package dev.tether.proxy.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Why a request was refused by the framing layer: the status sent to the client and a short reason
 * (e.g. {@code "both Content-Length and Transfer-Encoding"}).
 *
 * <p>Fired once per connection with {@code ctx.fireUserEventTriggered(violation)} from the {@link
 * HttpFraming#GATE_NAME} handler to the handlers after it, before the error response is written and
 * the connection closed. Handlers after the gate receive no further request objects on that
 * connection; a request whose head they already received (the violation was found later in its
 * chunked body) is incomplete and must be abandoned, never completed towards a backend. Log it with
 * {@link #message()}.
 *
 * <p>A connection closed in the middle of a header section also fires one (400, {@code "connection
 * closed before the request was complete"}), with no response possible. A connection closed in the
 * middle of a body fires none: the handlers see {@code channelInactive} without a {@code
 * LastHttpContent}.
 *
 * @param status the error status: 400, 414, 431, 501 or 505
 * @param reason one line naming the problem; no CR or LF
 */
public record FramingViolation(HttpResponseStatus status, String reason) {

  /** Validates the fields. */
  public FramingViolation {
    requireNonNull(status, "status");
    requireNonNull(reason, "reason");
    if (reason.indexOf('\r') >= 0 || reason.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("reason must be one line: " + reason.strip());
    }
  }

  /** The one-line text also used as the response body, e.g. {@code "400 Bad Request: obs-fold"}. */
  public String message() {
    return status.code() + " " + status.reasonPhrase() + ": " + reason;
  }

  /**
   * The violation a failed decode stands for, mapped by the decoder exception's type: a request
   * line over the limit is 414, a header section over the limit 431, a connection closed mid-head
   * and anything else 400. The one place decoder failures are mapped.
   */
  public static FramingViolation ofDecoderFailure(Throwable cause) {
    String detail =
        cause == null || cause.getMessage() == null
            ? "malformed request"
            : RequestHead.printable(cause.getMessage());
    if (cause instanceof PrematureChannelClosureException) {
      return new FramingViolation(
          HttpResponseStatus.BAD_REQUEST, "connection closed before the request was complete");
    }
    if (cause instanceof TooLongHttpLineException) {
      return new FramingViolation(
          HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long: " + detail);
    }
    if (cause instanceof TooLongFrameException) {
      return new FramingViolation(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "header section too large: " + detail);
    }
    return new FramingViolation(HttpResponseStatus.BAD_REQUEST, "malformed request: " + detail);
  }
}
