package dev.tether.proxy.frontend;

import dev.tether.balance.Member;
import dev.tether.proxy.affinity.AffinityHeaders;
import dev.tether.proxy.backend.BackendPool;
import dev.tether.proxy.outlier.OutlierDetector;
import dev.tether.proxy.retry.Retries;
import dev.tether.proxy.route.Upstream;
import dev.tether.proxy.websocket.ManagedUpgrade;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request side of a client connection's exchanges, from a routed head to a backend that has it:
 * {@link Exchange.Phase#PICKING} (the pool's {@link ServerPicker}), {@link
 * Exchange.Phase#CONNECTING} (one {@link BackendPool#acquire}) and {@link Exchange.Phase#SENDING}
 * (head, replayed body, pending and streamed body). A failed attempt goes to the pool's retry
 * policy ({@link Retries#afterFailure}); whatever it does not retry ends in {@link
 * FrontendHandler#finish}. Confined to the connection's event loop.
 */
final class Forwarder {

  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

  /**
   * How long a pooled connection may have idled to carry a request that must not be sent twice:
   * below the shortest keep-alive timeouts servers ship with (gunicorn's 2 s).
   */
  private static final long UNSAFE_REUSE_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final FrontendHandler h;
  private final ProxyRuntime rt;
  private final ConnectionAffinity pins;

  Forwarder(FrontendHandler h, ConnectionAffinity pins) {
    this.h = h;
    this.rt = h.rt;
    this.pins = pins;
  }

  /**
   * PICKING: chooses a server for a routed exchange, after its stick-table lookup if it needs one.
   */
  void pick(Exchange e) {
    e.phase = Exchange.Phase.PICKING;
    e.picker = ServerPicker.of(e.upstream);
    CompletionStage<?> lookup = e.picker.prepare(e);
    if (lookup == null) {
      pickNow(e);
      return;
    }
    // A shared stick table is being asked; come back on this loop when it answers (or gives up).
    lookup.whenComplete(
        (v, t) ->
            h.ctx()
                .channel()
                .eventLoop()
                .execute(
                    () -> {
                      if (e.phase == Exchange.Phase.PICKING) {
                        pickNow(e);
                      }
                    }));
  }

  private void pickNow(Exchange e) {
    PickResult r = e.picker.pick(e, pins);
    e.picker.commit(e, r, pins);
    if (!r.chosen()) {
      h.answer(
          e,
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          r.refusal() != null ? r.refusal() : "no server available in pool " + e.upstream.name());
      return;
    }
    Retries retries = e.upstream.retries();
    retries.budget().onRequest();
    e.replayLimit = retries.replayLimit(e.method);
    prepareRequest(e, e.request);
    connect(e, r.member(), true);
  }

  private void prepareRequest(Exchange e, HttpRequest req) {
    ForwardingHeaders.stripHopByHop(req.headers(), e.upgrade);
    h.peer().addForwarding(req.headers(), e.host);
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

  /** CONNECTING: acquires a connection to {@code m} ({@code mayReuse}: a pooled one may do). */
  private void connect(Exchange e, Member m, boolean mayReuse) {
    e.phase = Exchange.Phase.CONNECTING;
    e.member = m;
    InetSocketAddress addr = e.upstream.addresses().get(m.name());
    if (addr == null) {
      // A server added after this request was routed: the table in force knows it (published
      // first).
      Upstream now = rt.router().upstreams().get(e.upstream.name());
      addr = now == null ? null : now.addresses().get(m.name());
    }
    if (addr == null) {
      h.answer(
          e, HttpResponseStatus.BAD_GATEWAY, "server " + m.name() + " has no resolved address");
      return;
    }
    // A request that must not be sent twice takes only a recently used connection, which the
    // server is unlikely to be closing as idle just now (see ResponseRelay.onBackendClosed).
    long maxIdle =
        !mayReuse ? BackendPool.FRESH : e.idempotent ? Long.MAX_VALUE : UNSAFE_REUSE_IDLE_NANOS;
    h.usesBackend(addr);
    ChannelFuture f = rt.pool.acquire(h.relay(), addr, e.upstream.connections(), maxIdle);
    if (f == null) {
      h.answer(
          e,
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "server " + m.name() + " is at its connection limit");
    } else if (f.isDone()) {
      acquired(e, f);
    } else {
      f.addListener((ChannelFuture cf) -> acquired(e, cf));
    }
  }

  private void acquired(Exchange e, ChannelFuture f) {
    if (e.phase
        != Exchange.Phase.CONNECTING) { // the exchange ended meanwhile (the client went away)
      if (f.isSuccess()) {
        rt.pool.release(f.channel(), e.upstream.connections(), true);
      }
      return;
    }
    if (f.isSuccess()) {
      e.reusedConnection = rt.pool.reused(f.channel());
      send(e, f.channel());
    } else {
      connectFailed(e, f.cause());
    }
  }

  private void connectFailed(Exchange e, Throwable cause) {
    OutlierDetector.connectFailed(e.upstream, e.member);
    String reason = "connect to " + e.member.name() + " failed: " + ErrorResponses.describe(cause);
    log.info("{} {} {}: {}", h.client(), e.method, e.target, reason);
    if (e.upstream.retries().afterFailure(Retries.Failure.CONNECT, 0, e)
        == Retries.Verdict.ELSEWHERE) {
      e.connectRetries++;
      e.finishLoad(rt.ticker.nanoTime()); // a resend had started it on the failed server
      PickResult other = e.picker.another(e);
      e.picker.commit(e, other, pins);
      if (other.refusal() != null) {
        h.answer(e, HttpResponseStatus.SERVICE_UNAVAILABLE, reason + "; " + other.refusal());
        return;
      }
      if (other.chosen()) {
        e.note = reason + "; retried on " + other.member().name();
        connect(e, other.member(), true);
        return;
      }
    }
    h.answer(e, HttpResponseStatus.BAD_GATEWAY, reason);
  }

  /**
   * A failed attempt before the response head, which let go of its backend connection: asks the
   * pool's retry policy and sends the request again when it says so. {@code false}: the caller
   * answers the failure.
   */
  boolean retry(Exchange e, Retries.Failure where, int status, String reason) {
    switch (e.upstream.retries().afterFailure(where, status, e)) {
      case RESEND -> {
        // A kept-alive connection the backend closed just as we reused it, most likely as idle:
        // send the request again on a fresh connection. That fresh connection may still be
        // refused (the server died), which leaves the connect-failure retry its turn.
        e.resends++;
        connect(e, e.member, false);
        return true;
      }
      case ELSEWHERE -> {
        PickResult other = e.picker.another(e);
        if (!other.chosen() || other.member() == e.member) {
          return false; // the failure is answered as the first decision had it
        }
        e.finishLoad(rt.ticker.nanoTime()); // on the failed server, before the exchange moves on
        e.picker.commit(e, other, pins);
        e.errorRetries++;
        e.note = reason + "; retried on " + other.member().name();
        connect(e, other.member(), true);
        return true;
      }
      case BUDGET_SPENT -> {
        e.note = reason + "; not retried: the pool's retry budget is spent";
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  /**
   * SENDING: the head (under this attempt's binding), a replayed body, what waited, then reading.
   */
  private void send(Exchange e, Channel backend) {
    e.phase = Exchange.Phase.SENDING;
    e.backend = backend;
    e.startLoad();
    boolean replay = e.attempts++ > 0;
    AffinityHeaders.binding(
        e.affinity, e.request.headers()); // per attempt: a retry goes under a new binding
    backend.write(e.request, backend.voidPromise());
    if (replay) {
      // the body sent to the failed server again, then what arrived meanwhile, then the end
      e.lastSent = false;
      if (e.replay != null) {
        e.replay.writeTo(backend);
      }
    }
    HttpContent c;
    while ((c = e.nextPending()) != null) {
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
      h.ctx().read();
    }
  }

  /** Request body content: written on when a backend has the head, kept until then. */
  void requestContent(Exchange e, HttpContent c) {
    if (c instanceof LastHttpContent) {
      e.requestDone = true;
    }
    if (e.backend == null) {
      e.hold(c);
      return;
    }
    e.sending(c);
    e.backend.write(c, e.backend.voidPromise());
    // Sending the request body is activity: the server timeout measures silence on both paths.
    rt.pool.touch(e.backend);
  }
}
