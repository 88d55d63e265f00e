package dev.tether.proxy.websocket;

import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.PoolSnapshot;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.affinity.AffinityHeaders;
import dev.tether.proxy.backend.BackendConnector;
import dev.tether.proxy.backend.BackendListener;
import dev.tether.proxy.backend.ClientCodec;
import dev.tether.proxy.config.WebSocketConfig;
import dev.tether.proxy.outlier.OutlierDetector;
import dev.tether.proxy.route.Upstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Opens the next server's WebSocket for a managed connection, by the same affinity path an HTTP
 * request takes when its server fails: the policy's {@code redispatch} from the decision the
 * connection was on (so a session's replica owner comes first), or the picker without the lost
 * server when the pool has no affinity; with {@code on-failure: strict} only the bound server, once
 * it is back. The handshake repeats the client's original request (its cookies and headers) with a
 * fresh key, the binding it now goes under, {@code Tether-WebSocket-Id} and {@code
 * Tether-WebSocket-Resume}; the 101 must carry the right {@code Sec-WebSocket-Accept} and no
 * extension. Each attempt has a third of the resume timeout; servers refused during one resume are
 * skipped while others remain. Confined to the connection's event loop.
 */
final class BackendDialer implements Dialer {

  private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** How many picks one attempt makes to find a server not refused during this resume. */
  private static final int PICKS = 8;

  private final EventLoop loop;
  private final ManagedUpgrade.Backends backends;
  private final String pool;
  private final PickRequest view;
  private final HttpHeaders headers;
  private final String uri;
  private final WebSocketConfig config;

  /** The decision the connection was last sent under (the one that failed, during a resume). */
  private AffinityDecision last;

  private Member lastMember;
  private final Set<String> refused = new HashSet<>();
  private Attempt current;

  BackendDialer(
      EventLoop loop,
      ManagedUpgrade.Backends backends,
      String pool,
      PickRequest view,
      HttpHeaders headers,
      String uri,
      AffinityDecision decision,
      Member member,
      WebSocketConfig config) {
    this.loop = loop;
    this.backends = backends;
    this.pool = pool;
    this.view = view;
    this.headers = headers;
    this.uri = uri;
    this.config = config;
    this.last = decision;
    this.lastMember = member;
  }

  /** Takes the HTTP codec and the backend handler out of an upgraded backend pipeline. */
  static void dropHttp(BackendConnector connector, Channel ch) {
    // The server timeout is for responses; a WebSocket's silence is no failure.
    connector.suspendTimeout(ch, true);
    ChannelPipeline p = ch.pipeline();
    if (p.get("backend") != null) {
      p.remove("backend");
    }
    if (ClientCodec.installed(p)) {
      ClientCodec.uninstall(p);
    }
  }

  @Override
  public void dial(String resume, Callback callback) {
    assert loop.inEventLoop();
    Upstream up = backends.upstreams().apply(pool);
    if (up == null) {
      callback.refused("pool " + pool + " is no longer configured");
      return;
    }
    PoolSnapshot snapshot = up.pool().snapshot();
    AffinityPolicy affinity = up.affinity();
    AffinityDecision d = null;
    Member m = null;
    for (int i = 0; i < PICKS && (m == null || refused.contains(m.name())); i++) {
      if (affinity != null) {
        AffinityDecision from =
            d != null ? d : last != null ? last : AffinityPolicy.unbound(lastMember);
        d = affinity.redispatch(from, view, snapshot);
        if (d.outcome() == AffinityOutcome.REFUSED) {
          // Strict: the bound server only, when its state says it takes requests again.
          d = affinity.decide(view, snapshot, null);
          if (d.outcome() == AffinityOutcome.REFUSED || d.member() == null) {
            callback.refused(
                "the client is bound to "
                    + lastMember.name()
                    + ", which is unavailable (affinity on-failure: strict)");
            return;
          }
          m = d.member();
          break;
        }
        m = d.member();
      } else {
        m = snapshot.picker().pickExcluding(view, m != null ? m : lastMember);
      }
      if (m == null) {
        break;
      }
    }
    if (m == null) {
      callback.refused("no server available in pool " + pool);
      return;
    }
    if (refused.contains(m.name())) {
      refused.clear(); // every server was tried this round: start over
    }
    InetSocketAddress address = up.addresses().get(m.name());
    if (address == null) {
      failed(m, d);
      callback.refused("server " + m.name() + " has no resolved address");
      return;
    }
    if (!backends.connector().mayOpen(loop, address, up.connections())) {
      failed(m, d);
      callback.refused("server " + m.name() + " is at its connection limit");
      return;
    }
    Attempt a = new Attempt(up, m, d, resume, callback);
    current = a;
    ChannelFuture f = backends.connector().connect(loop, address, a);
    a.start(f);
  }

  @Override
  public void cancel() {
    Attempt a = current;
    current = null;
    if (a != null) {
      a.abandon();
    }
  }

  private void failed(Member m, AffinityDecision d) {
    refused.add(m.name());
    lastMember = m;
    if (d != null) {
      last = d;
    }
  }

  static String accept(String key) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest((key + WS_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JDK", e);
    }
  }

  /** One handshake with one server. */
  private final class Attempt implements BackendListener {
    private final Upstream up;
    private final Member member;
    private final AffinityDecision decision;
    private final String resume;
    private final Callback callback;
    private final String key;
    private Channel ch;
    private boolean switching;
    private boolean done;
    private Future<?> timeout;

    Attempt(
        Upstream up, Member member, AffinityDecision decision, String resume, Callback callback) {
      this.up = up;
      this.member = member;
      this.decision = decision;
      this.resume = resume;
      this.callback = callback;
      byte[] nonce = new byte[16];
      RANDOM.nextBytes(nonce);
      this.key = Base64.getEncoder().encodeToString(nonce);
    }

    void start(ChannelFuture f) {
      long wait =
          Math.max(TimeUnit.MILLISECONDS.toNanos(100), config.resumeTimeout().toNanos() / 3);
      timeout =
          loop.schedule(
              () ->
                  refuse(
                      "server "
                          + member.name()
                          + " did not answer the handshake within "
                          + TimeUnit.NANOSECONDS.toMillis(wait)
                          + " ms"),
              wait,
              TimeUnit.NANOSECONDS);
      f.addListener(
          (ChannelFuture cf) -> {
            if (done) {
              if (cf.isSuccess()) {
                backends.connector().discard(cf.channel());
              }
              return;
            }
            if (!cf.isSuccess()) {
              OutlierDetector.connectFailed(up, member);
              refuse("connect to " + member.name() + " failed: " + describe(cf.cause()));
              return;
            }
            ch = cf.channel();
            HttpHeaders h = headers.copy();
            h.set(HttpHeaderNames.SEC_WEBSOCKET_KEY, key);
            h.set(HttpHeaderNames.CONNECTION, "Upgrade");
            h.set(WebSocketHeaders.RESUME, resume);
            AffinityHeaders.binding(decision, h);
            ch.writeAndFlush(
                new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1,
                    HttpMethod.GET,
                    uri,
                    Unpooled.EMPTY_BUFFER,
                    h,
                    EmptyHttpHeaders.INSTANCE));
            ch.read();
          });
    }

    @Override
    public void onResponse(Channel backend, HttpObject msg) {
      if (done) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpResponse r) {
        String why = check(r);
        if (why != null) {
          ReferenceCountUtil.release(msg);
          if (r.status().code() >= 500) {
            OutlierDetector.responded(up, member, r.status().code());
          }
          refuse(why);
          return;
        }
        switching = true;
      }
      if (msg instanceof LastHttpContent && switching) {
        ReferenceCountUtil.release(msg);
        done = true;
        current = null;
        timeout.cancel(false);
        last = decision;
        lastMember = member;
        refused.clear();
        WebSocketPipelines.backend(backend.pipeline(), config);
        callback.accepted(backend, member.name());
        dropHttp(backends.connector(), backend);
        return;
      }
      ReferenceCountUtil.release(msg);
    }

    private String check(HttpResponse r) {
      int code = r.status().code();
      if (code != 101) {
        return "server " + member.name() + " answered the handshake with " + code;
      }
      if (!"websocket".equalsIgnoreCase(r.headers().get(HttpHeaderNames.UPGRADE))) {
        return "server "
            + member.name()
            + " switched to "
            + r.headers().get(HttpHeaderNames.UPGRADE)
            + ", not websocket";
      }
      if (!accept(key).equals(r.headers().get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT))) {
        return "server " + member.name() + " answered with a wrong Sec-WebSocket-Accept";
      }
      if (r.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS)) {
        return "server " + member.name() + " negotiated extensions it was not offered";
      }
      return null;
    }

    @Override
    public void onResponseReadComplete(Channel backend) {
      if (!done) {
        backend.read();
      }
    }

    @Override
    public void onBackendWritabilityChanged(Channel backend) {}

    @Override
    public void onBackendClosed(Channel backend, Throwable cause) {
      refuse(
          "server "
              + member.name()
              + " closed the connection during the handshake"
              + (cause == null ? "" : ": " + describe(cause)));
    }

    @Override
    public void onBackendTimeout(Channel backend) {
      refuse("server " + member.name() + " did not answer the handshake in time");
    }

    private void refuse(String why) {
      if (done) {
        return;
      }
      abandon();
      failed(member, decision);
      callback.refused(why);
    }

    /** Lets go of the attempt's connection, if any; nothing is reported. */
    void abandon() {
      if (done) {
        return;
      }
      done = true;
      if (current == this) {
        current = null;
      }
      if (timeout != null) {
        timeout.cancel(false);
      }
      if (ch != null) {
        backends.connector().discard(ch);
      }
    }
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
