package dev.tether.proxy.frontend;

import dev.tether.proxy.http.FramingViolation;
import dev.tether.proxy.http.RequestTarget;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.RouteGate;
import dev.tether.proxy.tunnel.Tunnel;
import dev.tether.proxy.websocket.ManagedUpgrade;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heart of the data plane: one instance per client connection (or HTTP/2 stream), one exchange
 * at a time.
 *
 * <p>A request's path reads top to bottom: {@link #startExchange} routes the head ({@link
 * Exchange.Phase#ROUTING}), the {@link Forwarder} picks a server, acquires a backend connection and
 * sends the request, the {@link ResponseRelay} streams the response back, and every way an exchange
 * can end — completed, upgraded, answered by Tether, client gone, refused by the framing layer,
 * backend lost mid-response — goes through {@link #finish}, the one place that lets go of its
 * state, records its metrics and writes its access log line.
 *
 * <p>Design: auto-read is off on both sides (STYLE habit 5); the client is read again only while
 * the backend connection is writable, the backend only while the client is. Nothing aggregates a
 * body. Requests that arrive pipelined behind the current one wait in a small backlog (at most one
 * read's worth) and are served in order. Every {@code HttpContent} has one owner: it is written on,
 * queued, or released on every branch, including errors (STYLE habit 6). All state is confined to
 * the connection's event loop.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

  final ProxyRuntime rt;
  private final ResponseRelay relay = new ResponseRelay(this);
  private final Forwarder forwarder;
  private ChannelHandlerContext ctx;
  private RequestTimer timer; // null on an HTTP/2 stream, whose head is whole before it opens
  private final ClientPeer peer;
  private final boolean stream;
  private boolean usedPrivateBackends;

  private Exchange ex;

  /** Objects of pipelined requests that arrived while an exchange was in progress. */
  private ArrayDeque<Object> backlog; // made when a client first pipelines: idle ones hold none

  private boolean closing;

  /**
   * A handler for one HTTP/1.1 connection.
   *
   * @param secure whether it came to a TLS listener
   */
  FrontendHandler(ProxyRuntime rt, boolean secure) {
    this(rt, new ClientPeer(rt.settings.trustedProxies(), secure));
  }

  /** A handler for one HTTP/1.1 connection from {@code peer}. */
  FrontendHandler(ProxyRuntime rt, ClientPeer peer) {
    this(rt, new ConnectionAffinity(false), peer, false);
  }

  /**
   * A handler for one HTTP/2 stream of a connection from {@code peer}, whose streams share {@code
   * pins}.
   */
  FrontendHandler(ProxyRuntime rt, ConnectionAffinity pins, ClientPeer peer) {
    this(rt, pins, peer, true);
  }

  private FrontendHandler(
      ProxyRuntime rt, ConnectionAffinity pins, ClientPeer peer, boolean stream) {
    this.rt = rt;
    this.peer = peer;
    this.stream = stream;
    this.forwarder = new Forwarder(this, pins);
  }

  /**
   * Not sharable, answered without Netty's per-thread lookup of the annotation: an HTTP/2
   * connection adds a new frontend handler for every stream.
   */
  @Override
  public boolean isSharable() {
    return false;
  }

  /** The exchange in progress, or {@code null}. */
  Exchange current() {
    return ex;
  }

  ChannelHandlerContext ctx() {
    return ctx;
  }

  String client() {
    return peer.client();
  }

  ClientPeer peer() {
    return peer;
  }

  ResponseRelay relay() {
    return relay;
  }

  Forwarder forwarder() {
    return forwarder;
  }

  /**
   * An exchange acquires a connection to {@code address}: remember whether it is private to this
   * client.
   */
  void usesBackend(InetSocketAddress address) {
    usedPrivateBackends |= rt.pool.privateTo(address);
  }

  // ---- client side ---------------------------------------------------------------------------

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timer = ctx.pipeline().get(RequestTimer.class);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    peer.connected(ctx.channel());
    if (!stream) {
      rt.clients.add(ctx.channel()); // a stream's connection is in the group, and drains it
    }
    waitForRequest(rt.settings.timeouts().clientRequest().toNanos());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (ex != null || (backlog != null && !backlog.isEmpty())) {
      if (msg instanceof HttpRequest || ex == null || ex.requestDone) {
        if (backlog == null) {
          backlog = new ArrayDeque<>(4);
        }
        backlog.add(msg);
        return;
      }
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest req) {
      startExchange(req);
      if (msg instanceof HttpContent c) {
        requestContent(c);
      }
    } else if (msg instanceof HttpContent c) {
      requestContent(c);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void requestContent(HttpContent c) {
    if (ex != null) {
      forwarder.requestContent(ex, c);
    } else {
      c.release(); // content of a request already answered (and its connection closing)
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Exchange e = ex;
    if (e == null) {
      if (!closing) {
        ctx.read(); // a partial head, or a body we are discarding
      }
      return;
    }
    if (e.backend != null) {
      e.backend.flush();
      if (!e.requestDone && e.backend.isWritable()) {
        ctx.read();
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    relay.clientWritable();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof RequestTimer.Expired expired) {
      if (ex == null && expired.partialHead()) {
        log.debug("{}: request head not complete in time", client());
        finish(
            null,
            Exchange.Outcome.ANSWERED,
            HttpResponseStatus.REQUEST_TIMEOUT.code(),
            "request head timeout",
            "request head not received in time");
      } else if (ex == null) {
        closeNow();
      }
      return;
    }
    if (evt instanceof FramingViolation v) {
      // The framing gate answers and closes; abandon whatever this connection was doing.
      log.info("{}: {}", client(), v.message());
      finish(ex, Exchange.Outcome.REJECTED, v.status().code(), v.reason());
      return;
    }
    if (evt == DrainSignal.INSTANCE) {
      if (ex == null) {
        closeNow();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (usedPrivateBackends) {
      rt.pool.closePrivate(
          ctx.channel()); // backend connections that carried this client's PROXY header
    }
    Exchange e = ex;
    if (e != null) {
      finish(
          e,
          Exchange.Outcome.CLIENT_GONE,
          e.responseStarted() ? e.status : 499,
          "client closed the connection");
    } else {
      closing = true;
      disarmTimer();
      releaseBacklog();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: client connection failed: {}", client(), cause.toString());
    ctx.close();
  }

  // ---- ROUTING -------------------------------------------------------------------------------

  private void startExchange(HttpRequest req) {
    disarmTimer();
    if (req.decoderResult().isFailure()) {
      FramingViolation v = FramingViolation.ofDecoderFailure(req.decoderResult().cause());
      finish(null, Exchange.Outcome.ANSWERED, v.status().code(), v.reason());
      return;
    }
    String uri = req.uri();
    String target = RequestTarget.originForm(uri);
    String host = RequestTarget.authority(uri, req.headers().get(HttpHeaderNames.HOST));
    if (RequestTarget.absoluteForm(uri)) {
      req.setUri(target); // the backend gets the origin-form
    }
    Exchange e =
        new Exchange(req, target, host, ForwardingHeaders.isUpgrade(req), rt.ticker.nanoTime());
    // a stream has no Connection header to read (HTTP/2 refuses one): it is kept unless draining
    e.clientKeepAlive = (stream || HttpUtil.isKeepAlive(req)) && !rt.draining();
    ex = e;
    if (rt.tracer != null) {
      e.span = rt.tracer.start(req.headers(), e.method, target);
    }
    if (req.method() == HttpMethod.CONNECT) {
      answer(e, HttpResponseStatus.METHOD_NOT_ALLOWED, "CONNECT is not supported");
      return;
    }
    Route route = rt.router().match(RequestTarget.hostName(host), target);
    if (route == null) {
      answer(e, HttpResponseStatus.NOT_FOUND, "no route for this host and path");
      return;
    }
    e.upstream = rt.router().upstream(route);
    e.view = new RequestView(req, peer.resolve(req.headers()), target);
    if (route.gate() != null) {
      RouteGate.Refusal no = route.gate().check(e.view);
      if (no != null) {
        e.retryAfterSeconds = no.retryAfterSeconds();
        answer(e, HttpResponseStatus.valueOf(no.status()), no.reason());
        return;
      }
    }
    forwarder.pick(e);
  }

  // ---- DONE ----------------------------------------------------------------------------------

  /**
   * Ends {@code e} with a response of Tether's own: {@code status} with {@code reason} in its body.
   */
  void answer(Exchange e, HttpResponseStatus status, String reason) {
    finish(
        e,
        Exchange.Outcome.ANSWERED,
        status.code(),
        e.note == null ? reason : e.note + "; " + reason,
        reason);
  }

  /** {@link #finish(Exchange, Exchange.Outcome, int, String, String)}, answering {@code note}. */
  void finish(Exchange e, Exchange.Outcome outcome, int status, String note) {
    finish(e, outcome, status, note, note);
  }

  /**
   * The one exit of an exchange: lets go of everything it holds (backend connection, queued and
   * kept body, load count), records its metrics, span and access log line once, then does what
   * {@code outcome} asks of the client connection: serve the next request, answer, close, or become
   * a tunnel. {@code e} is {@code null} for what ends before an exchange began (a request head that
   * timed out, was malformed or refused by the framing layer); {@code note} is the log line's note,
   * {@code reason} what the response of an {@link Exchange.Outcome#ANSWERED} one says.
   */
  private void finish(
      Exchange e, Exchange.Outcome outcome, int status, String note, String reason) {
    if (e != null && e.phase == Exchange.Phase.DONE) {
      return;
    }
    if (outcome.gone) {
      closing = true;
      disarmTimer();
      releaseBacklog();
    }
    Channel backend = null;
    if (e != null) {
      boolean started = e.responseStarted();
      e.phase = Exchange.Phase.DONE;
      if (ex == e) {
        ex = null;
      }
      e.finishLoad(rt.ticker.nanoTime());
      e.dropReplay();
      e.dropPending();
      backend = e.backend;
      e.backend = null;
      if (outcome == Exchange.Outcome.COMPLETED) {
        rt.pool.release(backend, e.upstream.connections(), e.backendKeepAlive && e.requestDone);
        backend = null;
      } else if (outcome != Exchange.Outcome.UPGRADED && backend != null) {
        rt.pool.discard(backend);
        backend = null;
      }
      e.status = status;
      if (outcome == Exchange.Outcome.COMPLETED || outcome == Exchange.Outcome.UPGRADED) {
        ctx.flush(); // the backend handler stops reporting read completion once the connection is
        // released
      }
      ExchangeRecord.record(rt, ctx.executor(), client(), e, status, note, closing && started);
    } else {
      ExchangeRecord.record(rt, ctx.executor(), client(), null, status, note, false);
    }
    switch (outcome) {
      case COMPLETED -> {
        if (e.closeAfter || !e.requestDone || rt.draining()) {
          closing = true;
          ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
          nextRequest();
        }
      }
      case UPGRADED -> upgrade(e, backend);
      case ANSWERED -> {
        boolean close = e == null || !e.requestDone || !e.clientKeepAlive || rt.draining();
        FullHttpResponse response =
            ErrorResponses.of(
                ctx.alloc(),
                e == null ? HttpVersion.HTTP_1_1 : e.clientVersion,
                HttpResponseStatus.valueOf(status),
                reason,
                close);
        if (e != null && e.retryAfterSeconds > 0) {
          response.headers().set(HttpHeaderNames.RETRY_AFTER, e.retryAfterSeconds);
        }
        if (close) {
          closing = true;
          ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
          releaseBacklog();
        } else {
          ctx.writeAndFlush(response, ctx.voidPromise());
          nextRequest();
        }
      }
      case BACKEND_LOST -> ctx.close();
      case CLIENT_GONE, REJECTED -> {} // closed already, or the framing gate answers and closes
    }
  }

  /** A 101 went to the client: the connection becomes a managed WebSocket or a tunnel. */
  private void upgrade(Exchange e, Channel backend) {
    rt.pool.suspendTimeout(
        backend, true); // timeouts.server is for responses; timeouts.tunnel takes over
    if (e.webSocket != null) {
      e.webSocket.start(
          ctx.channel(),
          backend,
          this,
          FrontendInitializer::removeHttp,
          e.affinity,
          e.member,
          new ManagedUpgrade.Backends(
              rt.connector, rt.router().upstreams()::get, rt.settings.timeouts().tunnel()));
      return;
    }
    Tunnel.start(
        ctx.channel(),
        backend,
        rt.settings.timeouts().tunnel(),
        FrontendInitializer::removeHttp,
        this,
        e.upstream.tunnels(),
        e.server(),
        "websocket".equalsIgnoreCase(e.request.headers().get(HttpHeaderNames.UPGRADE)));
  }

  /** After an exchange ended with the connection kept: serve the backlog or wait for a request. */
  private void nextRequest() {
    Object msg;
    while (!closing && backlog != null && (msg = backlog.peek()) != null) {
      if (ex != null && (msg instanceof HttpRequest || ex.requestDone)) {
        break; // the next pipelined request waits for the current exchange
      }
      backlog.poll();
      dispatch(msg);
    }
    if (ex == null && !closing) {
      waitForRequest(rt.settings.timeouts().clientIdle().toNanos());
    }
  }

  private void waitForRequest(long idleNanos) {
    if (timer != null) {
      timer.arm(idleNanos);
    }
    ctx.read();
  }

  private void disarmTimer() {
    if (timer != null) {
      timer.disarm();
    }
  }

  void closeNow() {
    closing = true;
    ctx.close();
  }

  private void releaseBacklog() {
    Object o;
    while (backlog != null && (o = backlog.poll()) != null) {
      ReferenceCountUtil.release(o);
    }
  }
}
