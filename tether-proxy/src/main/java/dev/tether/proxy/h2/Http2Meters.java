package dev.tether.proxy.h2;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the HTTP/2 front end: connections, streams and closed floods, by kind. Thread-safe.
 */
public final class Http2Meters {

  /** What a client flooded the balancer with. */
  public enum Flood {
    /** RST_STREAM frames over the limit (rapid reset, CVE-2023-44487). */
    RAPID_RESET,
    /** A header block over the header list limit, however many CONTINUATION frames carry it. */
    CONTINUATION,
    /** PING and SETTINGS frames over the limit. */
    CONTROL_FRAMES,
    /** Control-frame answers the client does not read (Netty's queue limit). */
    CONTROL_QUEUE,
    /** Empty DATA frames in a row. */
    EMPTY_FRAMES,
    /** Any other ENHANCE_YOUR_CALM from the codec. */
    OTHER;

    String tag() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final LongAdder connections = new LongAdder();
  private final LongAdder streams = new LongAdder();
  private final Map<Flood, LongAdder> floods = new EnumMap<>(Flood.class);

  public Http2Meters() {
    for (Flood f : Flood.values()) {
      floods.put(f, new LongAdder());
    }
  }

  /** An HTTP/2 connection began (ALPN h2 or h2c). */
  public void connection() {
    connections.increment();
  }

  /** A client stream opened. */
  public void stream() {
    streams.increment();
  }

  /** A connection was closed for a flood of {@code kind}. */
  public void flood(Flood kind) {
    floods.get(kind).increment();
  }

  /** Connections closed for floods of {@code kind} so far. */
  public long floods(Flood kind) {
    return floods.get(kind).sum();
  }

  public long connections() {
    return connections.sum();
  }

  public long streams() {
    return streams.sum();
  }

  /** Registers {@code tether.http2.connections}, {@code .streams} and {@code .floods{kind}}. */
  public void bind(MeterRegistry registry) {
    FunctionCounter.builder("tether.http2.connections", connections, LongAdder::sum)
        .description("HTTP/2 client connections")
        .register(registry);
    FunctionCounter.builder("tether.http2.streams", streams, LongAdder::sum)
        .description("HTTP/2 client streams (requests)")
        .register(registry);
    for (Flood f : Flood.values()) {
      FunctionCounter.builder("tether.http2.floods", floods.get(f), LongAdder::sum)
          .tag("kind", f.tag())
          .description("HTTP/2 connections closed with GOAWAY for a flood")
          .register(registry);
    }
  }
}
