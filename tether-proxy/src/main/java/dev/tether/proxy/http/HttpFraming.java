package dev.tether.proxy.http;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Installs the request-side HTTP/1.1 framing layer of the proxy frontend: a strict framing guard,
 * Netty's request decoder and response encoder ({@link ServerCodec}: what Netty's {@code
 * HttpServerCodec} does, for less memory per connection), and a gate that answers violations.
 * Handlers added after it receive only {@code HttpRequest}, {@code HttpContent} and {@code
 * LastHttpContent} objects of requests that passed every check; bodies stream in pieces of at most
 * {@link FramingLimits#maxChunkSize()} bytes, nothing is aggregated.
 *
 * <pre>{@code
 * protected void initChannel(SocketChannel ch) {
 *     HttpFraming.install(ch.pipeline(), FramingLimits.DEFAULTS);
 *     ch.pipeline().addLast("proxy", new ProxyFrontendHandler(...));
 *     // on a FramingViolation user event: log violation.message(), abandon any request in flight
 * }
 * }</pre>
 *
 * <p>On a violation the client gets the error status ({@code 400}, {@code 414}, {@code 431}, {@code
 * 501}, {@code 505}) with {@code Connection: close}, {@code Content-Type: text/plain} and a
 * one-line body such as {@code "400 Bad Request: both Content-Length and Transfer-Encoding"}; the
 * connection closes after the write. Just before that, handlers after {@link #GATE_NAME} receive a
 * {@link FramingViolation} via {@code userEventTriggered}. Every later byte is released unread. If
 * a response to an earlier request is being written at that moment, the error follows its end.
 *
 * <p>Design note: why a byte scanner in front of Netty. Netty's decoder has been lenient in places
 * across versions (whitespace before the colon, CVE-2019-16869; leading control characters,
 * CVE-2026-50020; a final coding other than chunked, CVE-2026-89044; older versions read anything
 * up to LF as the chunk delimiter), and by design it strips Content-Length when chunked is present
 * instead of refusing. Its strictness depends on the version, on {@link HttpDecoderConfig} and on
 * system properties. Checking its output objects cannot see what it already normalised (obs-fold,
 * whitespace before a colon, bare CR/LF, a stripped header). So the guard checks the raw bytes
 * first, incrementally and without copying bodies ({@link RequestScanner}), and Netty's decoder
 * only ever sees byte streams the guard accepted. The decoder still runs with strict line parsing
 * and limits a little above ours; if it reports a failure anyway, the gate maps it (414/431/400).
 * It does not validate header names and values a second time (the guard checked their bytes);
 * trailers it still validates. Header count is not limited by Netty; the guard enforces it. No
 * keep-alive, 100-continue or upgrade handling is installed: those belong to the handlers after the
 * gate. After a protocol switch (101), call {@link #uninstall(ChannelPipeline)}; a client must not
 * send other-protocol bytes before the 101 (RFC 6455 §4.1), they would be checked as HTTP.
 *
 * <p>Thread-safety: call from the channel initializer or the channel's event loop.
 */
public final class HttpFraming {

  /** Name of the raw-byte framing guard; first of the four handlers. */
  public static final String GUARD_NAME = "tether-framing-guard";

  /** Name of Netty's request decoder, after the guard. */
  public static final String DECODER_NAME = "tether-http-decoder";

  /** Name of the response encoder, after the decoder. */
  public static final String ENCODER_NAME = "tether-http-encoder";

  /** Name of the gate that answers violations; add the proxy's handlers after it. */
  public static final String GATE_NAME = "tether-framing-gate";

  private static final HttpHeadersFactory NO_VALIDATION =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);

  /** Slack added to Netty's limits so that the guard, with exact messages, always trips first. */
  private static final int DECODER_SLACK = 64;

  private HttpFraming() {}

  /**
   * Appends the guard, the decoder, the encoder and the gate ({@link #GUARD_NAME}, {@link
   * #DECODER_NAME}, {@link #ENCODER_NAME}, {@link #GATE_NAME}) to the end of {@code pipeline}.
   *
   * @throws IllegalArgumentException if one of the names is already in the pipeline
   */
  public static void install(ChannelPipeline pipeline, FramingLimits limits) {
    requireNonNull(pipeline, "pipeline");
    requireNonNull(limits, "limits");
    HttpDecoderConfig config =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxRequestLineBytes() + DECODER_SLACK)
            .setMaxHeaderSize(limits.maxHeaderBytes() + DECODER_SLACK)
            .setMaxChunkSize(limits.maxChunkSize())
            .setChunkedSupported(true)
            .setAllowPartialChunks(true)
            .setAllowDuplicateContentLengths(false)
            .setStrictLineParsing(true)
            .setValidateHeaders(true)
            // The guard has checked every header name (a token) and value (VCHAR, SP, HTAB,
            // obs-text) before the decoder sees the line, so validating each again as it is added
            // costs a second pass for nothing. Trailers keep Netty's validation, which also
            // refuses the fields a trailer must not carry.
            .setHeadersFactory(NO_VALIDATION);
    ServerCodec.Decoder decoder = ServerCodec.newDecoder(config);
    pipeline.addLast(GUARD_NAME, new RequestFramingGuard(limits));
    pipeline.addLast(DECODER_NAME, decoder);
    pipeline.addLast(ENCODER_NAME, decoder.encoder());
    pipeline.addLast(GATE_NAME, new FramingGate());
  }

  /**
   * Removes the four handlers, e.g. after a {@code 101 Switching Protocols}. Bytes the decoder
   * still buffers are passed on as {@code ByteBuf}s by Netty when it is removed.
   *
   * @throws java.util.NoSuchElementException if the layer is not installed
   */
  public static void uninstall(ChannelPipeline pipeline) {
    requireNonNull(pipeline, "pipeline");
    pipeline.remove(GATE_NAME);
    pipeline.remove(ENCODER_NAME);
    pipeline.remove(DECODER_NAME);
    pipeline.remove(GUARD_NAME);
  }
}
