package dev.tether.proxy.limit;

import dev.tether.proxy.http.FramingViolation;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Counts the requests the framing layer refused for a size limit: request line (414), header
 * section size and header count (431), from the {@link FramingViolation} events the framing gate
 * fires to the handlers after it ({@link ListenerChecks} hands them here). Thread-safe.
 */
final class FramingLimitCounter {

  private final LimitCounters counters;

  FramingLimitCounter(LimitCounters counters) {
    this.counters = counters;
  }

  /** Counts {@code evt} when it is a violation of a size limit. */
  void count(Object evt) {
    if (evt instanceof FramingViolation v) {
      LimitCounters.Reason reason = classify(v);
      if (reason != null) {
        counters.increment(reason);
      }
    }
  }

  /**
   * The limit a violation reports, or {@code null} for one that is not about a limit. The 431s are
   * told apart by the scanner's wording: a count is "more than N header fields", a size is "header
   * section larger than N bytes".
   */
  static LimitCounters.Reason classify(FramingViolation v) {
    if (v.status().equals(HttpResponseStatus.REQUEST_URI_TOO_LONG)) {
      return LimitCounters.Reason.REQUEST_LINE;
    }
    if (v.status().equals(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)) {
      return v.reason().startsWith("more than ") && v.reason().endsWith(" fields")
          ? LimitCounters.Reason.HEADER_COUNT
          : LimitCounters.Reason.HEADER_SIZE;
    }
    return null;
  }
}
