package dev.tether.proxy.frontend;

import dev.tether.balance.Member;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.affinity.AffinityHeaders;
import dev.tether.proxy.analytics.PoolTraffic;
import dev.tether.proxy.http.FramingViolation;
import dev.tether.proxy.log.AccessLogger;
import dev.tether.proxy.outlier.OutlierDetector;
import dev.tether.proxy.retry.Retries;
import dev.tether.proxy.route.Upstream;
import dev.tether.proxy.trace.ExchangeSpan;
import dev.tether.proxy.tunnel.Tunnel;
import dev.tether.proxy.websocket.ManagedUpgrade;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import dev.tether.proxy.backend.ProxyHeader;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.RouteGate;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heart of the data plane: one instance per client connection, one exchange at a time.
 *
 * <p>Design: auto-read is off on both sides (STYLE habit 5). A request head is routed, a server
 * picked and a pooled backend connection on the same event loop borrowed (or opened); the head and
 * then the body are written upstream, and the client is read again only while the backend
 * connection is writable. The response streams back the same way: the backend is read again only
 * while the client connection is writable. Nothing aggregates a body. Requests that arrive
 * pipelined behind the current one wait in a small backlog (at most one read's worth) and are
 * served in order.
 *
 * <p>Every {@code HttpContent} has one owner: it is written on, queued, or released on every
 * branch, including errors (STYLE habit 6). All state is confined to the connection's event loop.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);
  /**
   * How long a pooled connection may have idled to carry a request that must not be sent twice:
   * below the shortest keep-alive timeouts servers ship with (gunicorn's 2 s).
   */
  private static final long UNSAFE_REUSE_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  final ProxyRuntime rt;
  private final ResponseRelay relay = new ResponseRelay(this);
  private ChannelHandlerContext ctx;
  private RequestTimer timer;
  private InetAddress peer;
  private String client;
  /** The client's end and the end it connected to, as a PROXY header towards a backend names them. */
  private InetSocketAddress clientEnd;
  private InetSocketAddress localEnd;
  private boolean usedPrivateBackends;
  private boolean peerTrusted;
  /** The connection's affinity state (shared by the streams of an HTTP/2 connection). */
  private final ConnectionAffinity pins;

  private Exchange ex;
  /** Objects of pipelined requests that arrived while an exchange was in progress. */
  private final ArrayDeque<Object> backlog = new ArrayDeque<>(4);
  private boolean closing;

  FrontendHandler(ProxyRuntime rt) {
    this(rt, new ConnectionAffinity(false));
  }

  /** A handler for one HTTP/2 stream of a connection whose streams share {@code pins}. */
  FrontendHandler(ProxyRuntime rt, ConnectionAffinity pins) {
    this.rt = rt;
    this.pins = pins;
  }

  /** The exchange in progress, or {@code null}; for the response relay. */
  Exchange current() {
    return ex;
  }

  ChannelHandlerContext ctx() {
    return ctx;
  }

  String client() {
    return client;
  }

  // ---- client side ---------------------------------------------------------------------------

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timer = ctx.pipeline().get(RequestTimer.class);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    SocketAddress remote = ctx.channel().remoteAddress();
    if (ctx.channel().localAddress() instanceof InetSocketAddress local) {
      localEnd = local;
    }
    if (remote instanceof InetSocketAddress isa) {
      clientEnd = isa;
      peer = isa.getAddress();
      client = peer == null ? isa.getHostString() : peer.getHostAddress();
    } else {
      client = String.valueOf(remote);
    }
    peerTrusted = rt.settings.trustedProxies().isTrusted(peer);
    rt.clients.add(ctx.channel());
    waitForRequest(rt.settings.timeouts().clientRequest().toNanos());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (ex != null || !backlog.isEmpty()) {
      if (msg instanceof HttpRequest || ex == null || ex.requestDone) {
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
        onRequestContent(c);
      }
    } else if (msg instanceof HttpContent c) {
      if (ex == null) {
        c.release(); // content of a request already answered (and its connection closing)
        return;
      }
      onRequestContent(c);
    } else {
      ReferenceCountUtil.release(msg);
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
    Exchange e = ex;
    if (e != null && e.backendReadPaused && ctx.channel().isWritable() && e.backend != null) {
      e.backendReadPaused = false;
      rt.connector.suspendTimeout(e.backend, false);
      e.backend.read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof RequestTimer.Expired expired) {
      if (ex == null && expired.partialHead()) {
        log.debug("{}: request head not complete in time", client);
        logAccess(null, 408, "request head timeout");
        sendAndClose(ErrorResponses.of(ctx.alloc(), HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT, "request head not received in time", true));
      } else if (ex == null) {
        closeNow();
      }
      return;
    }
    if (evt instanceof FramingViolation v) {
      // The framing gate answers and closes; abandon whatever this connection was doing.
      Exchange e = abandon();
      log.info("{}: {}", client, v.message());
      logAccess(e, v.status().code(), v.reason());
      return;
    }
    if (evt instanceof ProxyProtocolHandler.ProxiedClient pc) {
      if (peerTrusted) {
        // The PROXY header from a trusted proxy names the real client; from anyone else it is ignored.
        peer = pc.address();
        client = peer.getHostAddress();
        clientEnd = new InetSocketAddress(peer, pc.port());
        if (pc.destination() != null) {
          localEnd = new InetSocketAddress(pc.destination(), pc.destinationPort());
        }
        peerTrusted = rt.settings.trustedProxies().isTrusted(peer);
      } else {
        log.debug("{}: ignored a PROXY protocol header from an untrusted peer", client);
      }
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
      rt.connector.closePrivate(ctx.channel()); // backend connections that carried this client's PROXY header
    }
    Exchange e = abandon();
    if (e != null) {
      logAccess(e, e.responseStarted ? e.status : 499, "client closed the connection");
    }
  }

  /** The connection is going away: drop the exchange in progress and everything queued. */
  private Exchange abandon() {
    closing = true;
    timer.disarm();
    Exchange e = ex;
    ex = null;
    if (e != null) {
      e.pending.forEach(HttpContent::release);
      e.pending.clear();
      e.dropReplay();
      finishLoad(e);
      if (e.backend != null) {
        rt.connector.discard(e.backend);
      }
    }
    releaseBacklog();
    return e;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: client connection failed: {}", client, cause.toString());
    ctx.close();
  }

  // ---- the exchange --------------------------------------------------------------------------

  private void startExchange(HttpRequest req) {
    timer.disarm();
    if (req.decoderResult().isFailure()) {
      rejectBadRequest(req);
      return;
    }
    String uri = req.uri();
    String target = uri;
    String host = req.headers().get(HttpHeaderNames.HOST);
    if (!uri.startsWith("/")) {
      if (uri.equals("*")) {
        target = "/";
      } else if (uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8)) {
        int authStart = uri.indexOf("//") + 2;
        int slash = uri.indexOf('/', authStart);
        host = slash < 0 ? uri.substring(authStart) : uri.substring(authStart, slash);
        target = slash < 0 ? "/" : uri.substring(slash);
        req.setUri(target);
      }
    }
    Exchange e = new Exchange(req, target, host, ForwardingHeaders.isUpgrade(req), System.nanoTime());
    e.clientKeepAlive = HttpUtil.isKeepAlive(req) && !rt.draining();
    ex = e;
    if (rt.tracer != null) {
      e.span = rt.tracer.start(req.headers(), e.method, target);
    }
    if (req.method() == HttpMethod.CONNECT) {
      respondError(e, HttpResponseStatus.METHOD_NOT_ALLOWED, "CONNECT is not supported");
      return;
    }
    Route route = rt.router().match(stripPort(host), target);
    if (route == null) {
      respondError(e, HttpResponseStatus.NOT_FOUND, "no route for this host and path");
      return;
    }
    Upstream up = rt.router().upstream(route);
    e.upstream = up;
    e.view = new RequestView(req, ClientAddress.resolve(req.headers(), client, peerTrusted, rt.settings.trustedProxies()), target);
    if (route.gate() != null) {
      RouteGate.Refusal no = route.gate().check(e.view);
      if (no != null) {
        refuse(e, no);
        return;
      }
    }
    AffinityPolicy affinity = up.affinity();
    CompletionStage<?> lookup = affinity == null ? null : affinity.prepare(e.view);
    if (lookup != null) {
      // A shared stick table is being asked; come back on this loop when it answers (or gives up).
      lookup.whenComplete((v, t) -> ctx.channel().eventLoop().execute(() -> {
        if (ex == e && !closing) {
          pickAndConnect(e, up, req);
        }
      }));
      return;
    }
    pickAndConnect(e, up, req);
  }

  private void pickAndConnect(Exchange e, Upstream up, HttpRequest req) {
    Member m;
    AffinityPolicy affinity = up.affinity();
    if (affinity == null) {
      m = up.pool().snapshot().picker().pick(e.view);
    } else {
      AffinityDecision d = pins.decide(affinity, up, e.view);
      e.affinity = d;
      m = d.member();
      if (d.outcome() == AffinityOutcome.REFUSED) {
        respondError(e, HttpResponseStatus.SERVICE_UNAVAILABLE, "the server this client is bound to is unavailable (affinity on-failure: strict)");
        return;
      }
    }
    if (m == null) {
      respondError(e, HttpResponseStatus.SERVICE_UNAVAILABLE, "no server available in pool " + up.name());
      return;
    }
    up.retries().budget().onRequest();
    if (up.retries().mayRetry(e.method)) {
      e.replayLimit = up.retries().config().buffer();
    }
    prepareRequest(e, req);
    connect(e, m, true);
  }

  private void prepareRequest(Exchange e, HttpRequest req) {
    ForwardingHeaders.stripHopByHop(req.headers(), e.upgrade);
    ForwardingHeaders.addForwarding(req.headers(), peer, client, peerTrusted, e.host);
    if (req.protocolVersion() != HttpVersion.HTTP_1_1) {
      req.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    if (!req.headers().contains(HttpHeaderNames.HOST)) {
      req.headers().set(HttpHeaderNames.HOST, e.host != null ? e.host : "localhost");
    }
    if (e.span != null) {
      e.span.forward(req.headers());
    }
    e.webSocket = e.upgrade ? ManagedUpgrade.prepare(e.upstream, req, e.view) : null;
  }

  void connect(Exchange e, Member m, boolean mayReuse) {
    e.member = m;
    InetSocketAddress addr = e.upstream.addresses().get(m.name());
    if (addr == null) {
      // A server added after this request was routed: the table in force knows it (published first).
      Upstream now = rt.router().upstreams().get(e.upstream.name());
      addr = now == null ? null : now.addresses().get(m.name());
    }
    if (addr == null) {
      respondError(e, HttpResponseStatus.BAD_GATEWAY, "server " + m.name() + " has no resolved address");
      return;
    }
    // A request that must not be sent twice takes only a recently used connection, which the
    // server is unlikely to be closing as idle just now (see ResponseRelay.onBackendClosed).
    // A connection that starts with a PROXY header names this client: it is kept for this client only.
    ConnectionsConfig.ProxyProtocolVersion sendProxy = rt.connector.sendsProxy(addr);
    Object owner = sendProxy == null ? null : ctx.channel();
    usedPrivateBackends |= owner != null;
    Channel ch = !mayReuse ? null : rt.connector.borrow(ctx.channel().eventLoop(), addr, relay,
        e.idempotent ? Long.MAX_VALUE : UNSAFE_REUSE_IDLE_NANOS, owner);
    if (ch != null) {
      e.reusedConnection = true;
      backendReady(e, ch);
      return;
    }
    if (!rt.connector.mayOpen(ctx.channel().eventLoop(), addr, e.upstream.connections())) {
      respondError(e, HttpResponseStatus.SERVICE_UNAVAILABLE, "server " + m.name() + " is at its connection limit");
      return;
    }
    e.reusedConnection = false;
    ChannelFuture f = sendProxy == null ? rt.connector.connect(ctx.channel().eventLoop(), addr, relay)
        : rt.connector.connect(ctx.channel().eventLoop(), addr, relay, proxyHeader(sendProxy), owner);
    f.addListener((ChannelFuture cf) -> {
      if (ex != e) { // the client went away or the exchange ended meanwhile
        if (cf.isSuccess()) {
          rt.connector.release(cf.channel(), e.upstream.connections(), true);
        }
        return;
      }
      if (cf.isSuccess()) {
        backendReady(e, cf.channel());
      } else {
        connectFailed(e, cf.cause());
      }
    });
  }

  private ProxyHeader proxyHeader(ConnectionsConfig.ProxyProtocolVersion version) {
    InetSocketAddress src = clientEnd != null ? clientEnd : new InetSocketAddress("0.0.0.0", 0);
    InetSocketAddress dst = localEnd != null ? localEnd : new InetSocketAddress("0.0.0.0", 0);
    return new ProxyHeader(version, src, dst);
  }

  private void connectFailed(Exchange e, Throwable cause) {
    OutlierDetector.connectFailed(e.upstream, e.member);
    String reason = "connect to " + e.member.name() + " failed: " + ErrorResponses.describe(cause);
    log.info("{} {} {}: {}", client, e.method, e.target, reason);
    if (!e.retried) {
      e.retried = true;
      finishLoad(e); // a resend had started it on the failed server
      Member other = another(e);
      if (e.affinity != null && e.affinity.outcome() == AffinityOutcome.REFUSED) {
        respondError(e, HttpResponseStatus.SERVICE_UNAVAILABLE, reason + "; the client is bound to it (affinity on-failure: strict)");
        return;
      }
      if (other != null) {
        e.note = reason + "; retried on " + other.name();
        connect(e, other, true);
        return;
      }
    }
    respondError(e, HttpResponseStatus.BAD_GATEWAY, reason);
  }

  /**
   * Another server for {@code e} after its server failed: affinity re-pins the client (or refuses,
   * when strict), otherwise the picker chooses without the failed one. {@code null}: none.
   */
  private Member another(Exchange e) {
    AffinityPolicy affinity = e.upstream.affinity();
    if (affinity == null) {
      return e.upstream.pool().snapshot().picker().pickExcluding(e.view, e.member);
    }
    e.affinity = affinity.redispatch(e.affinity, e.view, e.upstream.pool().snapshot());
    if (e.affinity.outcome() == AffinityOutcome.REFUSED) {
      return null;
    }
    Member other = e.affinity.member();
    if (other != null) {
      pins.pin = other.name();
    }
    return other;
  }

  /**
   * Sends {@code e} to another server after a failure its server may have seen ({@code reason}):
   * only an idempotent request, whose body is all still at hand, within the pool's attempts and
   * retry budget, before any response byte reached the client. The failed backend connection must
   * already be let go. {@code false}: the caller answers the failure.
   */
  boolean retryElsewhere(Exchange e, String reason) {
    Retries retries = e.upstream.retries();
    if (!e.idempotent || e.responseStarted || e.errorRetries >= retries.config().attempts() || !e.replayable()) {
      return false;
    }
    if (!retries.budget().tryRetry()) {
      e.note = reason + "; not retried: the pool's retry budget is spent";
      return false;
    }
    Member failed = e.member;
    AffinityDecision decided = e.affinity;
    String pin = pins.pin;
    Member other = another(e);
    if (other == null || other == failed) {
      e.affinity = decided; // the failure is answered as the first decision had it
      pins.pin = pin;
      return false;
    }
    finishLoad(e);
    e.errorRetries++;
    e.note = reason + "; retried on " + other.name();
    connect(e, other, true);
    return true;
  }

  private void backendReady(Exchange e, Channel backend) {
    e.backend = backend;
    if (!e.loadStarted) {
      e.loadStarted = true;
      e.member.load().start();
    }
    boolean replay = e.sent;
    e.sent = true;
    AffinityHeaders.binding(e.affinity, e.request.headers()); // per attempt: a retry goes under a new binding
    backend.write(e.request, backend.voidPromise());
    if (replay) {
      // the body sent to the failed server again, then what arrived meanwhile, then the end
      e.lastSent = false;
      if (e.replay != null) {
        e.replay.writeTo(backend);
      }
    }
    HttpContent c;
    while ((c = e.pending.poll()) != null) {
      e.sending(c);
      backend.write(c, backend.voidPromise());
    }
    if (replay && e.requestDone && !e.lastSent) {
      backend.write(LastHttpContent.EMPTY_LAST_CONTENT, backend.voidPromise());
      e.lastSent = true;
    }
    backend.flush();
    backend.read();
    if (!e.requestDone && backend.isWritable()) {
      ctx.read();
    }
  }

  private void onRequestContent(HttpContent c) {
    Exchange e = ex;
    boolean last = c instanceof LastHttpContent;
    if (last) {
      e.requestDone = true;
    }
    if (e.backend == null) {
      e.pending.add(c);
      return;
    }
    e.sending(c);
    e.backend.write(c, e.backend.voidPromise());
    // Sending the request body is activity: the server timeout measures silence on both paths.
    rt.connector.touch(e.backend);
  }

  // ---- ending ----------------------------------------------------------------------------

  void endExchange(Exchange e) {
    finishLoad(e);
    e.dropReplay();
    ex = null;
    // The backend handler stops reporting read completion once the connection is released.
    ctx.flush();
    logAccess(e, e.status, e.note);
    if (e.upgrade && e.status == 101) {
      Channel backend = e.backend;
      e.backend = null;
      ctx.flush();
      rt.connector.suspendTimeout(backend, true); // timeouts.server is for responses; timeouts.tunnel takes over
      if (e.webSocket != null) {
        e.webSocket.start(ctx.channel(), backend, this, FrontendInitializer::removeHttp, e.affinity, e.member,
            new ManagedUpgrade.Backends(rt.connector, rt.router().upstreams()::get, rt.settings.timeouts().tunnel()));
        return;
      }
      Tunnel.start(ctx.channel(), backend, rt.settings.timeouts().tunnel(), FrontendInitializer::removeHttp, this,
          e.upstream.tunnels(), e.server(), "websocket".equalsIgnoreCase(e.request.headers().get(HttpHeaderNames.UPGRADE)));
      return;
    }
    boolean backendReusable = e.backendKeepAlive && e.requestDone;
    rt.connector.release(e.backend, e.upstream.connections(), backendReusable);
    e.backend = null;
    if (e.closeAfter || !e.requestDone || rt.draining()) {
      closing = true;
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    nextRequest();
  }

  /** After an exchange ended with the connection kept: serve the backlog or wait for a request. */
  private void nextRequest() {
    Object msg;
    while (!closing && (msg = backlog.peek()) != null) {
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
    timer.arm(idleNanos);
    ctx.read();
  }

  /** Answers a request its route refused (access rule or rate limit), before any server is picked. */
  private void refuse(Exchange e, RouteGate.Refusal no) {
    respondError(e, HttpResponseStatus.valueOf(no.status()), no.reason(), no.retryAfterSeconds());
  }

  void respondError(Exchange e, HttpResponseStatus status, String reason) {
    respondError(e, status, reason, 0);
  }

  private void respondError(Exchange e, HttpResponseStatus status, String reason, long retryAfterSeconds) {
    finishLoad(e);
    e.dropReplay();
    if (e.backend != null) {
      rt.connector.discard(e.backend);
      e.backend = null;
    }
    e.pending.forEach(HttpContent::release);
    e.pending.clear();
    e.status = status.code();
    ex = null;
    logAccess(e, status.code(), e.note == null ? reason : e.note + "; " + reason);
    boolean close = !e.requestDone || !e.clientKeepAlive || rt.draining();
    var response = ErrorResponses.of(ctx.alloc(), e.clientVersion, status, reason, close);
    if (retryAfterSeconds > 0) {
      response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
    }
    if (close) {
      sendAndClose(response);
    } else {
      ctx.writeAndFlush(response, ctx.voidPromise());
      nextRequest();
    }
  }

  private void rejectBadRequest(HttpRequest req) {
    Throwable cause = req.decoderResult().cause();
    HttpResponseStatus status = HttpResponseStatus.BAD_REQUEST;
    String name = cause == null ? "" : cause.getClass().getSimpleName();
    if (name.contains("TooLongHttpLine")) {
      status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
    } else if (name.contains("TooLongHttpHeader")) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    logAccess(null, status.code(), "malformed request: " + ErrorResponses.describe(cause));
    sendAndClose(ErrorResponses.of(ctx.alloc(), HttpVersion.HTTP_1_1, status, "malformed request", true));
  }

  private void sendAndClose(Object response) {
    closing = true;
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    releaseBacklog();
  }

  void closeNow() {
    closing = true;
    ctx.close();
  }

  private void releaseBacklog() {
    Object o;
    while ((o = backlog.poll()) != null) {
      ReferenceCountUtil.release(o);
    }
  }

  private void finishLoad(Exchange e) {
    if (e.loadStarted) {
      e.loadStarted = false;
      long now = System.nanoTime();
      e.member.load().finish(now - e.startNanos, now);
    }
  }

  private void logAccess(Exchange e, int status, String note) {
    if (e != null) {
      PoolTraffic.record(e.upstream, e.server(), status, e.startNanos);
      if (e.span != null) {
        endSpan(e, status, note);
      }
    }
    AccessLogger al = rt.accessLog;
    if (!al.enabled()) {
      return;
    }
    long micros = e == null ? 0 : TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - e.startNanos);
    al.log(ctx.channel().eventLoop(), new AccessLogger.Entry(client, e == null ? null : e.method, e == null ? null : e.target,
        e == null ? null : e.pool(), e == null ? null : e.server(), status,
        e == null ? 0 : e.responseBytes, micros, note, e == null ? null : e.affinityLabel()));
  }

  /** Ends a sampled exchange's span; {@code closing} here means the connection went away first. */
  private void endSpan(Exchange e, int status, String note) {
    String server = e.server();
    e.span.end(new ExchangeSpan.Outcome(status, e.pool(), server,
        server == null ? null : e.upstream.addresses().get(server), e.affinityLabel(),
        e.note != null ? e.note : note, closing && e.responseStarted));
    e.span = null;
  }

  static String stripPort(String host) {
    if (host == null) {
      return null;
    }
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

}
