package dev.tether.proxy.frontend;

import dev.tether.balance.Member;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.proxy.retry.Retries;
import dev.tether.proxy.route.Upstream;
import dev.tether.proxy.trace.ExchangeSpan;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state of one request/response exchange on a client connection. Plain fields: an exchange
 * lives on one event loop from its first byte to its last.
 */
final class Exchange {

  final HttpRequest request;
  final HttpVersion clientVersion;
  final long startNanos;
  final String method;
  final String target;
  final String host;
  final boolean upgrade;
  /** GET, HEAD, OPTIONS, TRACE, PUT or DELETE: may be sent again after a server may have seen it. */
  final boolean idempotent;
  boolean clientKeepAlive;

  Upstream upstream;
  RequestView view;
  Member member;
  /** The affinity decision for this request, or {@code null} when the pool has no affinity. */
  AffinityDecision affinity;
  Channel backend;
  boolean reusedConnection;
  boolean loadStarted;
  /** The request head went to a backend once; a later send is a replay and must end the request. */
  boolean sent;
  /** Sent again once on a fresh connection after a reused one was closed before answering. */
  boolean resent;
  /** Sent once to another server after a connect failure; independent of {@link #resent}. */
  boolean retried;
  /** Times sent to another server after a failure the server may have seen (idempotent only). */
  int errorRetries;
  /** Body bytes kept for a retry (the pool's {@code retries.buffer}); 0 when not retried with a body. */
  int replayLimit;
  /** The body sent so far, kept for a retry; {@code null} until body bytes are sent with a limit. */
  ReplayBuffer replay;
  /** The request's end went to the current backend. */
  boolean lastSent;
  /** The request ended with trailers, which a replay does not repeat. */
  boolean trailers;

  /** Request content that arrived before the backend connection was ready. */
  final ArrayDeque<HttpContent> pending = new ArrayDeque<>(2);
  boolean requestDone;
  long requestBodyBytes;

  boolean inInformational;
  boolean responseStarted;
  boolean backendKeepAlive;
  boolean closeAfter;
  boolean backendReadPaused;
  int status;
  long responseBytes;
  String note;
  /** A WebSocket upgrade of a managed pool, or {@code null} (not an upgrade, or tunnelled). */
  dev.tether.proxy.websocket.ManagedUpgrade webSocket;
  /** The span of a sampled exchange, or {@code null} (tracing off, or not sampled). */
  ExchangeSpan span;

  Exchange(HttpRequest request, String target, String host, boolean upgrade, long startNanos) {
    this.request = request;
    this.clientVersion = request.protocolVersion();
    this.method = request.method().name();
    this.target = target;
    this.host = host;
    this.upgrade = upgrade;
    this.startNanos = startNanos;
    this.idempotent = Retries.idempotent(method);
  }

  /**
   * Whether the request can be sent again on another connection: no body was streamed, or all of
   * it is in the replay buffer, and no trailers went out.
   */
  boolean replayable() {
    return !trailers && (requestBodyBytes == 0 || (replay != null && replay.holds(requestBodyBytes)));
  }

  /** Records body content about to be written to the backend. */
  void sending(HttpContent c) {
    int n = c.content().readableBytes();
    if (n > 0 && replayLimit > 0) {
      if (replay == null && requestBodyBytes == 0) {
        replay = new ReplayBuffer(replayLimit);
      }
      if (replay != null) {
        replay.add(c.content());
      }
    }
    requestBodyBytes += n;
    if (c instanceof LastHttpContent last) {
      lastSent = true;
      trailers |= !last.trailingHeaders().isEmpty();
    }
  }

  /** No further attempt will be made: let go of the kept body. */
  void dropReplay() {
    if (replay != null) {
      replay.release();
      replay = null;
    }
  }

  String server() {
    return member == null ? null : member.name();
  }

  /** {@code mode/outcome} of the affinity decision, e.g. {@code cookie/hit}, or {@code null}. */
  String affinityLabel() {
    if (affinity == null || upstream == null || upstream.affinity() == null) {
      return null;
    }
    String mode = upstream.affinity().mode();
    String[] byOutcome = LABELS.get(mode);
    if (byOutcome == null) {
      byOutcome = LABELS.computeIfAbsent(mode, Exchange::labels);
    }
    return byOutcome[affinity.outcome().ordinal()];
  }

  /** {@code mode/outcome} for every outcome, built once per mode so a request concatenates nothing. */
  private static final ConcurrentHashMap<String, String[]> LABELS = new ConcurrentHashMap<>();

  private static String[] labels(String mode) {
    AffinityOutcome[] outcomes = AffinityOutcome.values();
    String[] out = new String[outcomes.length];
    for (AffinityOutcome o : outcomes) {
      out[o.ordinal()] = mode + "/" + o.label();
    }
    return out;
  }

  String pool() {
    return upstream == null ? null : upstream.name();
  }
}
