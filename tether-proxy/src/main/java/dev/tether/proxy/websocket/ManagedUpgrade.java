package dev.tether.proxy.websocket;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.proxy.backend.BackendConnector;
import dev.tether.proxy.config.WebSocketConfig;
import dev.tether.proxy.route.Upstream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The first handshake of a managed WebSocket, from the frontend's side: {@link #prepare} readies
 * the upgrade request before it goes to the server (extensions stripped, the connection id added,
 * the request kept for later handshakes); after the server's 101, {@link #start} turns both
 * connections into a {@link ManagedWebSocket}.
 *
 * <pre>{@code
 * ManagedUpgrade m = ManagedUpgrade.prepare(upstream, request, view);   // null: a plain tunnel
 * ... forward the request; on 101:
 * m.start(client, backend, frontendHandler, removeHttp, decision, member, backends);
 * }</pre>
 *
 * <p>Extensions are stripped because frames are relayed as they are and a connection may move to a
 * server that never saw the compression context (RFC 7692 keeps one per connection).
 */
public final class ManagedUpgrade {

  /** What resumes need from the proxy: the connector, the pools in force, the tunnel timeout. */
  public record Backends(
      BackendConnector connector, Function<String, Upstream> upstreams, Duration idle) {
    public Backends {
      requireNonNull(connector, "connector");
      requireNonNull(upstreams, "upstreams");
      requireNonNull(idle, "idle");
    }
  }

  private final Upstream upstream;
  private final String id;
  private final HttpHeaders headers;
  private final String uri;
  private final PickRequest view;

  private ManagedUpgrade(
      Upstream upstream, String id, HttpHeaders headers, String uri, PickRequest view) {
    this.upstream = upstream;
    this.id = id;
    this.headers = headers;
    this.uri = uri;
    this.view = view;
  }

  /**
   * Readies {@code request} (its headers already rewritten for the backend) for a managed pool, or
   * returns {@code null} when the connection is not to be managed: the pool tunnels, or the request
   * is not a version 13 WebSocket handshake.
   *
   * @param view the request as pickers see it, for the affinity of later handshakes
   */
  public static ManagedUpgrade prepare(Upstream upstream, HttpRequest request, PickRequest view) {
    if (upstream == null || !upstream.webSocket().managed() || request.method() != HttpMethod.GET) {
      return null;
    }
    HttpHeaders h = request.headers();
    if (!"websocket".equalsIgnoreCase(h.get(HttpHeaderNames.UPGRADE))
        || !"13".equals(h.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      return null;
    }
    h.remove(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
    String id = ConnectionIds.next();
    h.set(WebSocketHeaders.ID, id);
    return new ManagedUpgrade(upstream, id, h.copy(), request.uri(), view);
  }

  /** The connection id. */
  public String id() {
    return id;
  }

  /**
   * Rewires both pipelines after the server's 101 and starts relaying. The framing goes in before
   * the HTTP handlers come out, so bytes the HTTP codecs had buffered reach the WebSocket decoders.
   *
   * @param client the client connection; the 101 has been written and flushed
   * @param backend the backend connection that answered 101
   * @param frontend the client's HTTP exchange handler, removed as well
   * @param removeHttp removes the client pipeline's HTTP handlers
   * @param decision the affinity decision the handshake went under, or {@code null} (no affinity)
   * @param member the server that answered
   */
  public ManagedWebSocket start(
      Channel client,
      Channel backend,
      ChannelHandler frontend,
      Consumer<ChannelPipeline> removeHttp,
      AffinityDecision decision,
      Member member,
      Backends backends) {
    WebSocketConfig config = upstream.webSocket();
    ChannelPipeline cp = client.pipeline();
    WebSocketPipelines.client(cp, config, backends.idle());
    BackendDialer dialer =
        new BackendDialer(
            client.eventLoop(),
            backends,
            upstream.name(),
            view,
            headers,
            uri,
            decision,
            member,
            config);
    ManagedWebSocket ws = new ManagedWebSocket(client, config, dialer, upstream.tunnels(), id);
    ChannelPipeline bp = backend.pipeline();
    WebSocketPipelines.backend(bp, config);
    ws.attach(backend, member.name());
    BackendDialer.dropHttp(backends.connector(), backend);
    cp.remove(frontend);
    removeHttp.accept(cp);
    client.read();
    return ws;
  }
}
