package dev.tether.proxy.backend;

import dev.tether.proxy.http.MethodQueue;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.List;

/**
 * A backend connection's request encoder and response decoder: Netty's, as two pipeline handlers
 * that share the one thing the decoder must know about the requests, which of them were {@code
 * HEAD} (their answers have no body, whatever their headers say). Netty's {@code HttpClientCodec}
 * does the same inside one combining handler, whose wrapper and two delegating contexts every read
 * and write of every pooled connection passes through, with a queue of every request's method; this
 * keeps the oldest unanswered method in a field and makes a queue only if requests are ever sent
 * ahead of their answers.
 *
 * <p>As in Netty's codec: an interim answer ({@code 1xx}) leaves its request waiting for its final
 * one, response headers are validated, and the limits are the ones given. The balancer never sends
 * {@code CONNECT} upstream (the frontend refuses it), so the codec's handling of a tunnel after
 * {@code CONNECT} has no counterpart here.
 *
 * <p>Confined to the connection's event loop.
 */
public final class ClientCodec {

  /** The decoder's name in a backend pipeline. */
  public static final String DECODER_NAME = "http-client-decoder";

  /** The encoder's name in a backend pipeline. */
  public static final String ENCODER_NAME = "http-client-encoder";

  /**
   * Netty gives every fixed-length response's end a trailers map though it can have none, and a
   * chunked body rarely has more than a few: each starts as small as Netty makes one (2 buckets
   * instead of 16, 56 bytes less per response), with Netty's trailer validation.
   */
  static final HttpHeadersFactory SMALL_TRAILERS =
      new HttpHeadersFactory() {
        private final DefaultHttpHeadersFactory netty = DefaultHttpHeadersFactory.trailersFactory();

        @Override
        public HttpHeaders newHeaders() {
          return netty.newEmptyHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
          return netty.newEmptyHeaders();
        }
      };

  private ClientCodec() {}

  /** Appends the decoder and the encoder ({@link #DECODER_NAME}, {@link #ENCODER_NAME}). */
  static void install(
      ChannelPipeline pipeline, int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
    Decoder decoder =
        new Decoder(
            new HttpDecoderConfig()
                .setTrailersFactory(SMALL_TRAILERS)
                .setMaxInitialLineLength(maxInitialLineLength)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(maxChunkSize));
    pipeline.addLast(DECODER_NAME, decoder);
    pipeline.addLast(ENCODER_NAME, new Encoder(decoder));
  }

  /** Whether the codec is in {@code pipeline}. */
  public static boolean installed(ChannelPipeline pipeline) {
    return pipeline.get(DECODER_NAME) != null;
  }

  /**
   * Removes both handlers, e.g. when the connection becomes a tunnel after a {@code 101}. Bytes the
   * decoder still buffers are passed on as {@code ByteBuf}s by Netty when it is removed.
   *
   * @throws java.util.NoSuchElementException if the codec is not installed
   */
  public static void uninstall(ChannelPipeline pipeline) {
    pipeline.remove(DECODER_NAME);
    pipeline.remove(ENCODER_NAME);
  }

  /** Netty's response decoder, with no body for the answer to a {@code HEAD}. */
  static final class Decoder extends HttpResponseDecoder {
    private final MethodQueue unanswered = new MethodQueue();

    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    void requested(HttpMethod method) {
      unanswered.add(method);
    }

    /** How many sent requests wait for their final answer (for tests). */
    int unanswered() {
      return unanswered.size();
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        return super.isContentAlwaysEmpty(msg); // interim: the request awaits its final answer
      }
      return HttpMethod.HEAD.equals(unanswered.poll()) || super.isContentAlwaysEmpty(msg);
    }
  }

  /** Netty's request encoder, telling its decoder each request's method. */
  static final class Encoder extends HttpRequestEncoder {
    private final Decoder decoder;

    Encoder(Decoder decoder) {
      this.decoder = decoder;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out)
        throws Exception {
      if (msg instanceof HttpRequest request) {
        decoder.requested(request.method());
      }
      super.encode(ctx, msg, out);
    }
  }
}
