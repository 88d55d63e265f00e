package dev.tether.proxy.limit;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.TrustedProxies;
import dev.tether.proxy.config.ClientLimits;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;

/**
 * The client limits of one listener: what goes on the listening socket (connection counts and
 * accept rates) and what goes into each client pipeline (slow body, slow read, limit counters,
 * version headers), with the counters they share.
 *
 * <pre>{@code
 * ClientGuard guard = new ClientGuard(limits, trustedProxies);
 * serverBootstrap.handler(guard.acceptHandler());   // null when no connection limit is set
 * // in the child initializer:
 * guard.installFirst(pipeline);                     // before everything else
 * HttpFraming.install(pipeline, framingLimits);
 * guard.installAfterFraming(pipeline);              // before the frontend handler
 * }</pre>
 *
 * <p>Thread-safe; one per listener.
 */
public final class ClientGuard {

  /** Name of the slow-read handler, first in the pipeline. */
  public static final String RESPONSE_RATE = "tether-response-rate";

  /**
   * Name of the shared checks (framing limit counter, version-header filter), right after the
   * framing gate, when no rates are checked.
   */
  public static final String CHECKS = "tether-limit-checks";

  /** Name of the slow-body handler, after the framing gate; it also does the shared checks. */
  public static final String BODY_RATE = "tether-body-rate";

  private final ClientLimits limits;
  private final LimitCounters counters = new LimitCounters();
  private final ConnectionLimiter limiter;
  private final AcceptLimitHandler acceptHandler;
  private final ListenerChecks checks = new ListenerChecks(new FramingLimitCounter(counters));

  public ClientGuard(ClientLimits limits, TrustedProxies trusted) {
    this.limits = requireNonNull(limits, "limits");
    requireNonNull(trusted, "trusted");
    this.limiter = new ConnectionLimiter(limits, trusted::isTrusted, System::nanoTime, counters);
    this.acceptHandler = limits.limitsConnections() ? new AcceptLimitHandler(limiter) : null;
  }

  /**
   * The handler for the listening socket's pipeline, or {@code null} when nothing is limited at
   * accept.
   */
  public ChannelHandler acceptHandler() {
    return acceptHandler;
  }

  /** Adds the slow-read check at the front of a client pipeline (when rates are checked). */
  public void installFirst(ChannelPipeline p) {
    if (limits.checksRates()) {
      p.addFirst(
          RESPONSE_RATE,
          new ResponseRateHandler(
              limits.slowClientWindow().toNanos(), limits.minResponseRate(), counters));
    }
  }

  /**
   * Adds the shared checks (framing limit counter, version filter) and the slow-body check after
   * the framing gate: one handler when rates are checked (the slow-body check does the shared ones
   * too), the shared one alone otherwise.
   */
  public void installAfterFraming(ChannelPipeline p) {
    if (limits.checksRates()) {
      p.addLast(
          BODY_RATE,
          new BodyRateHandler(
              limits.slowClientWindow().toNanos(), limits.minBodyRate(), counters, checks));
    } else {
      p.addLast(CHECKS, checks);
    }
  }

  /**
   * Removes the per-request handlers from a pipeline that becomes a tunnel (idle tunnels have their
   * own timeout).
   */
  public static void uninstall(ChannelPipeline p) {
    for (String name : new String[] {RESPONSE_RATE, CHECKS, BODY_RATE}) {
      if (p.get(name) != null) {
        p.remove(name);
      }
    }
  }

  /** How often each limit was hit. */
  public LimitCounters counters() {
    return counters;
  }

  /** Client connections admitted and still open (counted only when a connection limit is set). */
  public int openConnections() {
    return limiter.open();
  }
}
