package dev.tether.proxy.frontend;

import dev.tether.proxy.analytics.PoolTraffic;
import dev.tether.proxy.log.AccessLogger;
import dev.tether.proxy.trace.ExchangeSpan;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What an ended exchange leaves behind: its pool meters, its span and its access log line. Called
 * once per exchange, from {@link FrontendHandler#finish} only, on the exchange's event loop.
 */
final class ExchangeRecord {

  private ExchangeRecord() {}

  /**
   * Records {@code e} (or, when {@code e} is {@code null}, a request that ended before an exchange
   * began) as answered {@code status} with {@code note}.
   *
   * @param cutShort the client connection went away while a response was under way (for the span)
   */
  static void record(
      ProxyRuntime rt,
      EventExecutor loop,
      String client,
      Exchange e,
      int status,
      String note,
      boolean cutShort) {
    long now = rt.ticker.nanoTime();
    if (e != null) {
      PoolTraffic.record(e.upstream, e.server(), status, e.startNanos, now);
      if (e.span != null) {
        String server = e.server();
        e.span.end(
            new ExchangeSpan.Outcome(
                status,
                e.pool(),
                server,
                server == null ? null : e.upstream.addresses().get(server),
                e.affinityLabel(),
                e.note != null ? e.note : note,
                cutShort));
        e.span = null;
      }
    }
    AccessLogger al = rt.accessLog;
    if (!al.enabled()) {
      return;
    }
    if (e == null) {
      al.log(
          loop, new AccessLogger.Entry(client, null, null, null, null, status, 0, 0, note, null));
      return;
    }
    al.log(
        loop,
        new AccessLogger.Entry(
            client,
            e.method,
            e.target,
            e.pool(),
            e.server(),
            status,
            e.responseBytes,
            TimeUnit.NANOSECONDS.toMicros(now - e.startNanos),
            note,
            e.affinityLabel()));
  }
}
