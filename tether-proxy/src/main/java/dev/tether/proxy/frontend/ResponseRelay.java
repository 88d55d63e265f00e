package dev.tether.proxy.frontend;

import dev.tether.balance.Member;
import dev.tether.proxy.backend.BackendClient;
import dev.tether.proxy.outlier.OutlierDetector;
import dev.tether.proxy.retry.Retries;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend side of a client connection's exchanges ({@link Exchange.Phase#SENDING} and {@link
 * Exchange.Phase#RECEIVING}): relays the response to the client (1xx heads, the final head with its
 * rewritten headers and affinity cookie, the streamed body) with back-pressure, and hands backend
 * failures to the retry policy or to {@link FrontendHandler#finish}. Confined to the connection's
 * event loop, like the {@link FrontendHandler} it serves.
 */
final class ResponseRelay implements BackendClient {

  private static final Logger log = LoggerFactory.getLogger(ResponseRelay.class);

  private final FrontendHandler h;

  ResponseRelay(FrontendHandler h) {
    this.h = h;
  }

  @Override
  public Channel clientChannel() {
    return h.ctx().channel();
  }

  @Override
  public InetSocketAddress clientEnd() {
    return h.peer().clientEnd();
  }

  @Override
  public InetSocketAddress localEnd() {
    return h.peer().localEnd();
  }

  /** The exchange {@code backend} serves, or {@code null} when it serves none (any more). */
  private Exchange holding(Channel backend) {
    Exchange e = h.current();
    return e == null || e.backend != backend ? null : e;
  }

  @Override
  public void onResponse(Channel backend, HttpObject msg) {
    Exchange e = holding(backend);
    if (e == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse r) {
      if (!e.inInformational && retryOnStatus(e, backend, r.status().code())) {
        ReferenceCountUtil.release(msg);
        return;
      }
      onResponseHead(e, r);
    }
    if (msg instanceof HttpContent c) {
      if (e.inInformational) {
        // A 1xx has no body: pass its (empty) end so the encoder is ready for the final head.
        e.inInformational = !(c instanceof LastHttpContent);
        h.ctx().write(c, h.ctx().voidPromise());
        return;
      }
      e.responseBytes += c.content().readableBytes();
      h.ctx().write(c, h.ctx().voidPromise());
      if (c instanceof LastHttpContent) {
        h.finish(
            e,
            e.upgrade && e.status == 101 ? Exchange.Outcome.UPGRADED : Exchange.Outcome.COMPLETED,
            e.status,
            e.note);
      }
    }
  }

  private void onResponseHead(Exchange e, HttpResponse r) {
    int code = r.status().code();
    if (code >= 100 && code < 200 && code != 101) {
      e.inInformational = true;
      ForwardingHeaders.stripHopByHop(r.headers(), false);
      h.ctx().write(r, h.ctx().voidPromise());
      h.ctx().flush();
      return;
    }
    e.phase = Exchange.Phase.RECEIVING;
    e.dropReplay();
    e.status = code;
    OutlierDetector.responded(e.upstream, e.member, code);
    e.clientKeepAlive &= !h.rt.draining();
    e.backendKeepAlive = HttpUtil.isKeepAlive(r);
    String owners = e.picker.beforeStrip(e, r.headers());
    boolean closeDelimited =
        ForwardingHeaders.prepareResponse(r, e.clientVersion, e.clientKeepAlive);
    if (!closeDelimited
        && e.clientVersion == HttpVersion.HTTP_1_1
        && mayHaveBody(e, code)
        && !HttpUtil.isContentLengthSet(r)
        && !HttpUtil.isTransferEncodingChunked(r)) {
      // The backend delimits this body by closing; re-frame it as chunked so the client
      // connection can stay open.
      HttpUtil.setTransferEncodingChunked(r, true);
    }
    e.closeAfter |= closeDelimited || !e.clientKeepAlive;
    e.picker.onResponse(e, r.headers(), owners);
    h.ctx().write(r, h.ctx().voidPromise());
  }

  /** A status the pool retries on, for a request that may be retried: try another server. */
  private boolean retryOnStatus(Exchange e, Channel backend, int code) {
    if (!e.upstream.retries().retriesOn(code)) {
      return false;
    }
    e.backend = null;
    Member failed = e.member;
    if (h.forwarder().retry(e, Retries.Failure.STATUS, code, failed.name() + " answered " + code)) {
      OutlierDetector.responded(e.upstream, failed, code);
      // the rest of that response is not wanted; the connection cannot be reused mid-body
      h.rt.pool.discard(backend);
      return true;
    }
    e.backend = backend;
    return false;
  }

  private static boolean mayHaveBody(Exchange e, int code) {
    return code != 204 && code != 304 && !(code >= 100 && code < 200) && !"HEAD".equals(e.method);
  }

  @Override
  public void onResponseReadComplete(Channel backend) {
    h.ctx().flush();
    Exchange e = holding(backend);
    if (e != null) {
      if (h.ctx().channel().isWritable()) {
        backend.read();
      } else {
        e.backendReadPaused = true;
        h.rt.pool.suspendTimeout(backend, true);
      }
    }
  }

  @Override
  public void onBackendWritabilityChanged(Channel backend) {
    Exchange e = holding(backend);
    if (e != null && backend.isWritable() && !e.requestDone) {
      h.ctx().read();
    }
  }

  /** The client can take more: resume reading a backend paused for it. */
  void clientWritable() {
    Exchange e = h.current();
    if (e != null && e.backendReadPaused && e.backend != null && h.ctx().channel().isWritable()) {
      e.backendReadPaused = false;
      h.rt.pool.suspendTimeout(e.backend, false);
      e.backend.read();
    }
  }

  @Override
  public void onBackendClosed(Channel backend, Throwable cause) {
    Exchange e = holding(backend);
    if (e == null) {
      return;
    }
    String reason =
        cause == null
            ? "backend closed the connection"
            : "backend connection failed: " + ErrorResponses.describe(cause);
    if (!e.responseStarted()) {
      e.backend = null;
      if (h.forwarder()
          .retry(
              e,
              Retries.Failure.CLOSED,
              0,
              reason + " (" + e.member.name() + ") before responding")) {
        return;
      }
      log.info(
          "{} {} {}: {} ({}) before responding",
          h.client(),
          e.method,
          e.target,
          reason,
          e.member.name());
      h.answer(e, HttpResponseStatus.BAD_GATEWAY, reason + " before responding");
      return;
    }
    // Mid-response: the client cannot be told with a status any more.
    log.info(
        "{} {} {}: {} ({}) during the response",
        h.client(),
        e.method,
        e.target,
        reason,
        e.member.name());
    e.note = reason + " during the response";
    h.finish(e, Exchange.Outcome.BACKEND_LOST, e.status, e.note);
  }

  @Override
  public void onBackendTimeout(Channel backend) {
    Exchange e = holding(backend);
    if (e == null) {
      return;
    }
    OutlierDetector.timedOut(e.upstream, e.member);
    if (!e.responseStarted()) {
      log.info(
          "{} {} {}: {} did not respond within {}",
          h.client(),
          e.method,
          e.target,
          e.member.name(),
          h.rt.settings.timeouts().server());
      h.answer(
          e,
          HttpResponseStatus.GATEWAY_TIMEOUT,
          "server " + e.member.name() + " did not respond in time");
    } else {
      e.note = "backend stalled during the response";
      h.finish(e, Exchange.Outcome.BACKEND_LOST, e.status, e.note);
    }
  }
}
