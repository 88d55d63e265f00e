package dev.tether.proxy.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Thrown inside the scanner when a request breaks a framing rule; carries the violation. Stackless:
 * it is a control-flow signal on the event loop, and the reason says everything.
 */
final class FramingException extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient FramingViolation violation;

  FramingException(HttpResponseStatus status, String reason) {
    super(reason, null, false, false);
    this.violation = new FramingViolation(requireNonNull(status, "status"), reason);
  }

  static FramingException badRequest(String reason) {
    return new FramingException(HttpResponseStatus.BAD_REQUEST, reason);
  }

  FramingViolation violation() {
    return violation;
  }
}
