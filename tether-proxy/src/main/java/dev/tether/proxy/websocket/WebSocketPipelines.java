package dev.tether.proxy.websocket;

import dev.tether.proxy.config.WebSocketConfig;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The WebSocket framing of both pipelines of a managed connection (RFC 6455 version 13, no
 * extensions): the client side decodes masked frames and encodes unmasked ones, as a server does;
 * the backend side the other way round, as a client does. A frame larger than {@code
 * websocket-buffer-size} is a protocol violation (close 1009), since it could never be held.
 */
final class WebSocketPipelines {

  static final String IDLE = "ws-idle";
  static final String DECODER = "ws-decoder";
  static final String ENCODER = "ws-encoder";

  private WebSocketPipelines() {}

  /**
   * Appends the client side's framing. {@code idle}: the tunnel timeout; with pings on, it measures
   * the client's silence only (a live client answers every ping), otherwise silence both ways.
   */
  static void client(ChannelPipeline p, WebSocketConfig config, Duration idle) {
    long n = idle.toNanos();
    p.addLast(
        IDLE,
        config.ping().isZero()
            ? new IdleStateHandler(0, 0, n, TimeUnit.NANOSECONDS)
            : new IdleStateHandler(n, 0, 0, TimeUnit.NANOSECONDS));
    p.addLast(DECODER, new WebSocket13FrameDecoder(decoder(true, config.bufferSize())));
    p.addLast(ENCODER, new WebSocket13FrameEncoder(false));
  }

  /** Appends the backend side's framing. */
  static void backend(ChannelPipeline p, WebSocketConfig config) {
    p.addLast(DECODER, new WebSocket13FrameDecoder(decoder(false, config.bufferSize())));
    p.addLast(ENCODER, new WebSocket13FrameEncoder(true));
  }

  private static WebSocketDecoderConfig decoder(boolean masked, int maxFrame) {
    return WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(masked)
        .allowMaskMismatch(false)
        .allowExtensions(false)
        .maxFramePayloadLength(maxFrame)
        .closeOnProtocolViolation(true)
        .build();
  }
}
