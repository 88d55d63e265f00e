package dev.tether.proxy.frontend;

import dev.tether.proxy.config.Http2Config;
import dev.tether.proxy.h2.Http2FloodGuard;
import dev.tether.proxy.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * The HTTP/2 front end of one client connection: Netty's frame codec, the flood guard and the
 * stream multiplexer on the connection; on each stream's child channel the HTTP/1.x object codec
 * and the same {@link FrontendHandler} HTTP/1.1 connections use, so that routing, affinity, retries
 * and the access log are the same. Backends stay HTTP/1.1 over the pooled connections.
 *
 * <p>Flow control: stream channels read only when their exchange asks (auto-read off), and Netty
 * returns a stream's window as its child channel consumes frames, so a slow backend holds back its
 * own client stream only; a stream channel is writable while its send window and the connection
 * are, so a slow client stream pauses its own backend only.
 */
final class Http2Frontend {

  static final String CODEC = "h2";
  static final String GUARD = "h2-guard";
  static final String MUX = "h2-mux";
  static final String FLUSH = "h2-flush";
  static final String STREAM_CODEC = "h2-stream";
  private static final int FLUSHES_MERGED = 64;

  private Http2Frontend() {}

  /**
   * Makes {@code p} (a connection whose next bytes are the client preface) an HTTP/2 connection.
   */
  static void install(ChannelPipeline p, ProxyRuntime rt, Edge edge, ClientPeer peer) {
    Http2Config c = edge.http2();
    Http2FrameCodec codec =
        new ServerCodecBuilder()
            .initialSettings(
                Http2Settings.defaultSettings()
                    .maxConcurrentStreams(c.maxConcurrentStreams())
                    .maxHeaderListSize(c.maxHeaderListSize())
                    .initialWindowSize(c.initialWindowSize()))
            .decoderEnforceMaxRstFramesPerWindow(
                c.maxResets(), (int) Math.max(1, c.floodWindow().toSeconds()))
            .encoderEnforceMaxQueuedControlFrames(10_000)
            .decoderEnforceMaxConsecutiveEmptyDataFrames(2)
            .gracefulShutdownTimeoutMillis(rt.settings.timeouts().shutdown().toMillis())
            .validateHeaders(true) // names and values: the only check of a request's fields
            .build();
    ConnectionAffinity pins = new ConnectionAffinity(true);
    // Each stream's response is flushed when its backend read completes, and one event-loop turn
    // often completes the backend reads of several streams of this connection: their flushes are
    // merged into one at the end of the turn (or every FLUSHES_MERGED), so the TLS layer seals
    // them into fewer records and the connection makes fewer writes.
    p.addLast(FLUSH, new FlushConsolidationHandler(FLUSHES_MERGED, true));
    p.addLast(CODEC, codec);
    p.addLast(GUARD, new Http2FloodGuard(c, edge.meters(), System::nanoTime));
    p.addLast(MUX, new Http2MultiplexHandler(new StreamInitializer(rt, edge, pins, peer)));
    p.addLast("h2-connection", new ConnectionEnd());
    Channel ch = p.channel();
    ch.config()
        .setAutoRead(
            true); // HTTP/2 flow control is per stream; the connection itself is always read
    rt.clients.add(ch);
    edge.meters().connection();
  }

  /**
   * Netty's frame codec builder for a server connection whose DATA frames are shared out between
   * streams evenly ({@link UniformStreamByteDistributor}) instead of by the priority tree of RFC
   * 7540 ({@code WeightedFairQueueByteDistributor}, Netty's default), a scheme RFC 9113 deprecated.
   * Keeping the tree in step with every stream's opening and closing took 2.3 % of the event loop
   * under {@code h2load -c50 -m10}; the even share takes 0.6 %.
   */
  private static final class ServerCodecBuilder extends Http2FrameCodecBuilder {
    ServerCodecBuilder() {
      DefaultHttp2Connection connection = new DefaultHttp2Connection(true);
      connection
          .remote()
          .flowController(
              new DefaultHttp2RemoteFlowController(
                  connection, new UniformStreamByteDistributor(connection)));
      connection(connection);
    }
  }

  /** Each stream: the stream codec, the frontend handler. */
  private static final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
    private final ProxyRuntime rt;
    private final Edge edge;
    private final ConnectionAffinity pins;
    private final ClientPeer peer;
    private final StreamCodec codec; // sharable: one per connection rather than per stream

    StreamInitializer(ProxyRuntime rt, Edge edge, ConnectionAffinity pins, ClientPeer peer) {
      this.rt = rt;
      this.edge = edge;
      this.pins = pins;
      this.peer = peer;
      this.codec = new StreamCodec(edge.tls());
    }

    @Override
    public boolean isSharable() {
      return true; // as ChannelInitializer is annotated; Netty would look it up for every stream
    }

    @Override
    protected void initChannel(Http2StreamChannel ch) {
      ch.config().setAutoRead(false);
      edge.meters().stream();
      ChannelPipeline p = ch.pipeline();
      p.addLast(STREAM_CODEC, codec);
      // No request timer: a stream opens with its whole head (the connection's frame reader
      // gathers HEADERS and any CONTINUATION before the stream becomes active), so there is no
      // head to wait for.
      p.addLast(FrontendInitializer.FRONTEND, new FrontendHandler(rt, pins, peer));
    }
  }

  /**
   * Netty's conversion between a stream's frames and HTTP/1.1 objects, made into what the frontend
   * handler takes from an HTTP/1.1 connection: Netty's {@code x-http2-*} extension headers removed
   * from a request (they must not reach a backend; the conversion already turned {@code :authority}
   * into Host), a request without a body (HEADERS with END_STREAM) as its head and an empty end
   * rather than a whole request with a buffer for no body, and on a TLS listener
   * Strict-Transport-Security added to each final response (see {@link HstsHandler}). One handler
   * where each stream had three.
   *
   * <p>It does not validate headers again: the frame codec's header decoder ({@code
   * validateHeaders(true)}) has already checked every request field name and value (a CR or LF in a
   * value ends the stream there, see Http2FloodIntegrationTest), and response fields come from the
   * backend decoder, which validates them, or from the balancer itself.
   */
  @io.netty.channel.ChannelHandler.Sharable
  static final class StreamCodec extends Http2StreamFrameToHttpObjectCodec {
    private static final AsciiString[] EXTENSION_HEADERS =
        java.util.Arrays.stream(HttpConversionUtil.ExtensionHeaderNames.values())
            .map(HttpConversionUtil.ExtensionHeaderNames::text)
            .toArray(AsciiString[]::new);

    private final ServerTls tls; // null on h2c

    StreamCodec(ServerTls tls) {
      super(true, false);
      this.tls = tls;
    }

    @Override
    public boolean isSharable() {
      return true; // as annotated; Netty would look the annotation up in a map on every read
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out)
        throws Exception {
      if (frame instanceof Http2HeadersFrame hf
          && hf.isEndStream()
          && hf.headers().method() != null) {
        HttpRequest req =
            HttpConversionUtil.toHttpRequest(
                hf.stream() == null ? 0 : hf.stream().id(), hf.headers(), false);
        removeExtensionHeaders(req);
        out.add(req);
        out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        return;
      }
      int from = out.size();
      super.decode(ctx, frame, out);
      for (int i = from; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest req) {
          removeExtensionHeaders(req);
        }
      }
    }

    /**
     * A response head, a body chunk and a body's end without trailers, the three things a proxied
     * response is written as, become their frame here without the codec's list, and a chunk's
     * buffer becomes its DATA frame's as it is: the codec would retain it for the frame and release
     * it for the chunk, two atomic updates per buffer that cost 3 % of an HTTP/2 request's CPU.
     * Everything else (1xx, whole responses of Tether's own, trailers) goes through the codec.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
        throws Exception {
      if (tls != null && msg instanceof HttpResponse r) {
        HstsHandler.addTo(r, tls); // on every response, whichever path below writes it
      }
      if (msg instanceof HttpContent c && !(msg instanceof HttpMessage)) {
        if (!(c instanceof LastHttpContent last)) {
          ctx.write(new DefaultHttp2DataFrame(c.content(), false), promise);
          return;
        }
        if (last.trailingHeaders().isEmpty()) {
          ctx.write(new DefaultHttp2DataFrame(last.content(), true), promise);
          return;
        }
      } else if (msg instanceof HttpResponse r
          && !(msg instanceof FullHttpResponse)
          && r.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
        ctx.write(
            new DefaultHttp2HeadersFrame(HttpConversionUtil.toHttp2Headers(r, false), false),
            promise);
        return;
      }
      super.write(ctx, msg, promise);
    }

    private static void removeExtensionHeaders(HttpRequest req) {
      var h = req.headers();
      for (AsciiString n : EXTENSION_HEADERS) {
        h.remove(n);
      }
    }
  }

  /**
   * On drain, the connection says GOAWAY and closes once its streams are done (Netty's graceful
   * close).
   */
  private static final class ConnectionEnd extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == DrainSignal.INSTANCE) {
        ctx.channel().close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (io.netty.handler.codec.http2.Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
        // the frame codec fires a connection error down the pipeline first, then writes GOAWAY
        // and closes: closing here would shut the connection before the client hears why
        return;
      }
      ctx.close(); // an I/O error on the connection
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      io.netty.util.ReferenceCountUtil.release(
          msg); // connection-level frames the multiplexer passed on
    }
  }
}
