package dev.tether.proxy.frontend;

import dev.tether.balance.Member;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.proxy.retry.Attempt;
import dev.tether.proxy.retry.Retries;
import dev.tether.proxy.route.Upstream;
import dev.tether.proxy.trace.ExchangeSpan;
import dev.tether.proxy.websocket.ManagedUpgrade;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * The state of one request/response exchange on a client connection. Plain fields: an exchange
 * lives on one event loop from its first byte to its last.
 *
 * <p>An exchange moves forward through its {@link Phase}s (a retry goes back to {@link
 * Phase#CONNECTING}) and ends exactly once, in {@link FrontendHandler#finish} with an {@link
 * Outcome}: that is where its backend connection, buffers, load counter, span, metrics and access
 * log line are dealt with, whichever way it ended.
 */
final class Exchange implements Attempt {

  /** Where an exchange is. */
  enum Phase {
    /** The head arrived: matching a route, checking its gate. */
    ROUTING,
    /** Choosing a server (possibly waiting for a shared stick table). */
    PICKING,
    /** Acquiring a backend connection (pooled, or being opened). */
    CONNECTING,
    /** The head went to the backend; the body streams; no final response head yet. */
    SENDING,
    /** The final response head went to the client; the body streams back. */
    RECEIVING,
    /** Ended; nothing more happens to it. */
    DONE
  }

  /** How an exchange ended. */
  enum Outcome {
    /** The backend's response went to the client whole. */
    COMPLETED(false),
    /**
     * The backend switched protocols (101): the connection became a tunnel or managed WebSocket.
     */
    UPGRADED(false),
    /**
     * Tether answered with a status of its own (no route, refused, no server, 502, 503, 504...).
     */
    ANSWERED(false),
    /** The client connection closed first. */
    CLIENT_GONE(true),
    /** The framing layer refused the request (it answers and closes the connection). */
    REJECTED(true),
    /** The backend failed after the response head went out: the client connection is closed. */
    BACKEND_LOST(true);

    /** The client connection is going away: nothing more is read or served on it. */
    final boolean gone;

    Outcome(boolean gone) {
      this.gone = gone;
    }
  }

  final HttpRequest request;
  final HttpVersion clientVersion;
  final long startNanos;
  final String method;
  final String target;
  final String host;
  final boolean upgrade;

  /**
   * GET, HEAD, OPTIONS, TRACE, PUT or DELETE: may be sent again after a server may have seen it.
   */
  final boolean idempotent;

  boolean clientKeepAlive;
  Phase phase = Phase.ROUTING;

  Upstream upstream;

  /** The pool's picker: with or without affinity. */
  ServerPicker picker;

  RequestView view;
  Member member;

  /** The affinity decision for this request, or {@code null} when the pool has no affinity. */
  AffinityDecision affinity;

  Channel backend;
  boolean reusedConnection;
  boolean loadStarted;

  /** Times the head went to a backend; a later send is a replay and must end the request. */
  int attempts;

  int resends;
  int connectRetries;
  int errorRetries;

  /**
   * Body bytes kept for a retry (the pool's {@code retries.buffer}); 0 when not retried with a
   * body.
   */
  int replayLimit;

  /**
   * The body sent so far, kept for a retry; {@code null} until body bytes are sent with a limit.
   */
  ReplayBuffer replay;

  /** The request's end went to the current backend. */
  boolean lastSent;

  /** The request ended with trailers, which a replay does not repeat. */
  boolean trailers;

  /**
   * Request content that arrived before the backend connection was ready; made when some does (a
   * request sent on a connection the pool had idle never needs it).
   */
  private ArrayDeque<HttpContent> pending;

  boolean requestDone;
  long requestBodyBytes;

  boolean inInformational;
  boolean backendKeepAlive;
  boolean closeAfter;
  boolean backendReadPaused;
  int status;
  long responseBytes;
  String note;

  /** {@code Retry-After} seconds of a refusal Tether answers, or 0. */
  long retryAfterSeconds;

  /** A WebSocket upgrade of a managed pool, or {@code null} (not an upgrade, or tunnelled). */
  ManagedUpgrade webSocket;

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

  @Override
  public boolean idempotent() {
    return idempotent;
  }

  @Override
  public boolean responseStarted() {
    return phase == Phase.RECEIVING;
  }

  /**
   * Whether the request can be sent again on another connection: no body was streamed, or all of it
   * is in the replay buffer, and no trailers went out.
   */
  @Override
  public boolean replayable() {
    return !trailers
        && (requestBodyBytes == 0 || (replay != null && replay.holds(requestBodyBytes)));
  }

  @Override
  public boolean reusedConnection() {
    return reusedConnection;
  }

  @Override
  public int resends() {
    return resends;
  }

  @Override
  public int connectRetries() {
    return connectRetries;
  }

  @Override
  public int errorRetries() {
    return errorRetries;
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

  /** Keeps request content until the backend connection is ready. */
  void hold(HttpContent c) {
    if (pending == null) {
      pending = new ArrayDeque<>(2);
    }
    pending.add(c);
  }

  /** The oldest content {@link #hold} kept, now the caller's, or {@code null}. */
  HttpContent nextPending() {
    return pending == null ? null : pending.poll();
  }

  /** Lets go of request content that never reached a backend. */
  void dropPending() {
    HttpContent c;
    while ((c = nextPending()) != null) {
      c.release();
    }
  }

  /** Counts the request on its server from the first connection on (once per attempt's server). */
  void startLoad() {
    if (!loadStarted) {
      loadStarted = true;
      member.load().start();
    }
  }

  /** Ends the count {@link #startLoad} began, with the latency so far; nothing when none runs. */
  void finishLoad(long nowNanos) {
    if (loadStarted) {
      loadStarted = false;
      member.load().finish(nowNanos - startNanos, nowNanos);
    }
  }

  String server() {
    return member == null ? null : member.name();
  }

  String pool() {
    return upstream == null ? null : upstream.name();
  }

  /** {@code mode/outcome} of the affinity decision, e.g. {@code cookie/hit}, or {@code null}. */
  String affinityLabel() {
    return picker == null ? null : picker.label(this);
  }
}
