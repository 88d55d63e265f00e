package dev.tether.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.util.List;

/**
 * The frontend's request decoder and response encoder: Netty's, as two pipeline handlers that share
 * the one thing an encoder must know about the requests, which of them were {@code HEAD} (their
 * answers have no body, whatever their headers say). Netty's {@code HttpServerCodec} does the same
 * inside one combining handler with a queue of every request's method; this keeps the oldest
 * unanswered method in a field and makes a queue only when a client pipelines, so an idle
 * kept-alive connection holds a few words instead of a wrapper, two delegating contexts and a
 * 16-slot queue.
 *
 * <p>An interim answer ({@code 1xx} other than {@code 101}) leaves its request waiting for the
 * final one. Like Netty's codec, more than {@value #MAX_UNANSWERED} requests decoded ahead of their
 * answers fail the decoder.
 *
 * <p>Confined to the connection's event loop.
 */
final class ServerCodec {

  /** Requests decoded ahead of their answers before the decoder fails (Netty's codec: 128). */
  static final int MAX_UNANSWERED = 128;

  private ServerCodec() {}

  /** A decoder and its encoder, to be added to one pipeline. */
  static Decoder newDecoder(HttpDecoderConfig config) {
    return new Decoder(config, new Encoder());
  }

  /** Netty's request decoder, telling its encoder each request's method. */
  static final class Decoder extends HttpRequestDecoder {
    private final Encoder encoder;

    private Decoder(HttpDecoderConfig config, Encoder encoder) {
      super(config);
      this.encoder = encoder;
    }

    /** The encoder that answers this decoder's requests. */
    Encoder encoder() {
      return encoder;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
        throws Exception {
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before, n = out.size(); i < n; i++) {
        if (out.get(i) instanceof HttpRequest request) {
          encoder.requested(request.method());
        }
      }
    }
  }

  /** Netty's response encoder, with no body for the answer to a {@code HEAD}. */
  static final class Encoder extends HttpResponseEncoder {
    private final MethodQueue unanswered = new MethodQueue();

    private Encoder() {}

    void requested(HttpMethod method) {
      if (unanswered.size() == MAX_UNANSWERED) {
        throw new IllegalStateException("maxPipelineDepth exceeded: " + MAX_UNANSWERED);
      }
      unanswered.add(method);
    }

    /** How many decoded requests wait for their final answer (for tests). */
    int unanswered() {
      return unanswered.size();
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      int code = msg.status().code();
      if (code >= 100 && code < 200 && code != 101) {
        return super.isContentAlwaysEmpty(msg); // interim: the request awaits its final answer
      }
      return HttpMethod.HEAD.equals(unanswered.poll()) || super.isContentAlwaysEmpty(msg);
    }
  }
}
