package dev.tether.proxy.frontend;

import dev.tether.proxy.ProxySettings;
import dev.tether.proxy.http.FramingLimits;
import dev.tether.proxy.http.HttpFraming;
import dev.tether.proxy.limit.ClientGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.List;

/**
 * Builds a client connection's pipeline: the slow-read check (first, so it sees encoded bytes), the
 * wait timer (so it sees raw bytes), the PROXY protocol decoder when the listener expects one, the
 * strict HTTP/1.1 framing layer ({@link HttpFraming}: raw-byte guard, codec, gate), the limit
 * counter, slow-body check and version-header filter ({@link ClientGuard}), the frontend handler.
 *
 * <p>With TLS ({@link Edge#tls()}) the PROXY decoder comes first, then the SNI/TLS handler, and
 * after the handshake ALPN decides: {@code h2} gets the HTTP/2 front end ({@link Http2Frontend}),
 * anything else the HTTP/1.1 pipeline above, its timer now seeing decrypted bytes. With h2c ({@code
 * http2.cleartext}) the first bytes decide: the HTTP/2 client preface or HTTP/1.1.
 */
public final class FrontendInitializer extends ChannelInitializer<Channel> {

  static final String TIMER = "request-timer";
  static final String FRONTEND = "frontend";
  static final String TLS = "tls";
  static final String PROTOCOL = "protocol";

  private final ProxyRuntime runtime;
  private final Edge edge;
  private final FramingLimits framing; // one for every connection: it is immutable

  public FrontendInitializer(ProxyRuntime runtime) {
    this(runtime, Edge.cleartext(runtime.settings.limits().maxHeaderSize()));
  }

  /** A listener that also speaks what {@code edge} says (TLS, HTTP/2). */
  public FrontendInitializer(ProxyRuntime runtime, Edge edge) {
    this.runtime = runtime;
    this.edge = edge;
    ProxySettings s = runtime.settings;
    this.framing =
        new FramingLimits(
            s.limits().maxRequestLine(),
            s.limits().maxHeaderSize(),
            s.limits().maxHeaders(),
            s.limits().maxChunk());
  }

  @Override
  protected void initChannel(Channel ch) {
    ProxySettings s = runtime.settings;
    ChannelPipeline p = ch.pipeline();
    runtime.guard.installFirst(p);
    // who is at the other end: known before any protocol handler exists, shared by HTTP/2 streams
    ClientPeer peer = new ClientPeer(s.trustedProxies(), edge.tls() != null);
    peer.connected(ch);
    if (!edge.plain()) {
      initEdge(p, s, peer);
      return;
    }
    p.addLast(TIMER, new RequestTimer(s.timeouts().clientRequest().toNanos(), runtime.ticker));
    if (s.proxyProtocol()) {
      p.addLast(ProxyProtocolHandler.DECODER, new HAProxyMessageDecoder());
      p.addLast(ProxyProtocolHandler.NAME, new ProxyProtocolHandler(peer));
    }
    HttpFraming.install(p, framing);
    runtime.guard.installAfterFraming(p);
    p.addLast(FRONTEND, new FrontendHandler(runtime, peer));
  }

  private void initEdge(ChannelPipeline p, ProxySettings s, ClientPeer peer) {
    if (s.proxyProtocol()) {
      p.addLast(ProxyProtocolHandler.DECODER, new HAProxyMessageDecoder());
      p.addLast(ProxyProtocolHandler.NAME, new ProxyProtocolHandler(peer));
    }
    if (edge.tls() != null) {
      p.addLast(TLS, edge.tls().newHandler(s.timeouts().clientRequest().toMillis()));
      p.addLast(PROTOCOL, new Alpn(peer));
    } else {
      p.addLast(PROTOCOL, new PrefaceDetector(peer));
    }
  }

  /** Appends the HTTP/1.1 handlers to a connection that is already active, and starts them. */
  private void installHttp1(ChannelHandlerContext ctx, ClientPeer peer) {
    ProxySettings s = runtime.settings;
    ChannelPipeline p = ctx.pipeline();
    p.addLast(TIMER, new RequestTimer(s.timeouts().clientRequest().toNanos(), runtime.ticker));
    HttpFraming.install(p, framing);
    runtime.guard.installAfterFraming(p);
    if (edge.tls() != null) {
      p.addLast(HstsHandler.NAME, new HstsHandler(edge.tls()));
    }
    p.addLast(FRONTEND, new FrontendHandler(runtime, peer));
    ctx.fireChannelActive(); // the new handlers came after the connection became active
  }

  /** Removes the HTTP handlers from a client pipeline that is becoming a tunnel. */
  static void removeHttp(ChannelPipeline p) {
    p.remove(TIMER);
    HttpFraming.uninstall(p);
    ClientGuard.uninstall(p);
  }

  /** After the TLS handshake: HTTP/2 or HTTP/1.1 by the protocol ALPN agreed on. */
  private final class Alpn extends ApplicationProtocolNegotiationHandler {
    private final ClientPeer peer;

    Alpn(ClientPeer peer) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.peer = peer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      ctx.read(); // auto-read is off: ask for the ClientHello
      super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        edge.tls().handshake(e.isSuccess());
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        Http2Frontend.install(ctx.pipeline(), runtime, edge, peer);
      } else {
        installHttp1(ctx, peer);
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a scanner or an old client; counted, not logged per connection
    }
  }

  /** h2c with prior knowledge: the HTTP/2 client preface selects HTTP/2, anything else HTTP/1.1. */
  private final class PrefaceDetector extends ByteToMessageDecoder {
    private final ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
    private final ClientPeer peer;

    PrefaceDetector(ClientPeer peer) {
      this.peer = peer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      ctx.read();
      super.channelActive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
      preface.release();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      int n = Math.min(in.readableBytes(), preface.readableBytes());
      boolean same = ByteBufUtil.equals(in, in.readerIndex(), preface, preface.readerIndex(), n);
      if (same && n < preface.readableBytes()) {
        return; // not enough bytes yet to tell
      }
      if (same) {
        Http2Frontend.install(ctx.pipeline(), runtime, edge, peer);
      } else {
        installHttp1(ctx, peer);
      }
      ctx.pipeline().remove(this); // hands the bytes read so far to what was just installed
    }
  }
}
