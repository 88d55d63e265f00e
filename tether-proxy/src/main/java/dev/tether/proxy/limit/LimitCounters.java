package dev.tether.proxy.limit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/**
 * How often each client limit was hit since start. Thread-safe; incremented from any event loop,
 * read by the metrics exporter.
 */
public final class LimitCounters {

  /**
   * Why a connection was refused or cut, or a request refused; the {@code reason} tag of the
   * meters.
   */
  public enum Reason {
    /** Refused at accept: {@code max-connections} open already. */
    CONNECTIONS,
    /** Refused at accept: {@code max-connections-per-client} open from this client already. */
    CONNECTIONS_PER_CLIENT,
    /** Refused at accept: over {@code max-accept-rate}. */
    ACCEPT_RATE,
    /** Refused at accept: this client over {@code max-accept-rate-per-client}. */
    ACCEPT_RATE_PER_CLIENT,
    /** Closed: a request body arrived slower than {@code min-body-rate} (slow POST). */
    SLOW_BODY,
    /** Closed: the client read a response slower than {@code min-response-rate} (slow read). */
    SLOW_READ,
    /** Refused with 414: the request line was longer than {@code max-request-line}. */
    REQUEST_LINE,
    /** Refused with 431: the header section was larger than {@code max-header-size}. */
    HEADER_SIZE,
    /** Refused with 431: more header fields than {@code max-headers}. */
    HEADER_COUNT;

    /** The tag value, e.g. {@code connections-per-client}. */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * Whether this reason refuses a connection at accept (as opposed to cutting or refusing later).
     */
    public boolean atAccept() {
      return ordinal() <= ACCEPT_RATE_PER_CLIENT.ordinal();
    }
  }

  private final LongAdder[] counts = new LongAdder[Reason.values().length];

  public LimitCounters() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  void increment(Reason reason) {
    counts[reason.ordinal()].increment();
  }

  /** How often {@code reason} happened. */
  public long count(Reason reason) {
    return counts[reason.ordinal()].sum();
  }

  /**
   * Registers {@code tether.client.limited}, one counter per {@link Reason} (tag {@code reason}),
   * with {@code registry}.
   */
  public void bind(MeterRegistry registry) {
    for (Reason reason : Reason.values()) {
      FunctionCounter.builder("tether.client.limited", this, c -> c.count(reason))
          .description(
              "client connections refused at accept or cut, and requests refused, by the client limit they hit")
          .tag("reason", reason.tag())
          .register(registry);
    }
  }
}
