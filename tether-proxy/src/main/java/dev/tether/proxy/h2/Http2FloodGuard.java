package dev.tether.proxy.h2;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.Http2Config;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import java.util.function.LongSupplier;

/**
 * Sits between Netty's {@code Http2FrameCodec} and the stream multiplexer of one client connection
 * and closes the connection with GOAWAY(ENHANCE_YOUR_CALM) on a flood, counting it.
 *
 * <p>Design note: Netty 4.2 already refuses three floods itself and this handler only counts them
 * (it sees the codec's connection error): rapid reset (CVE-2023-44487, {@code
 * decoderEnforceMaxRstFramesPerWindow}), control-frame answers the client does not read ({@code
 * encoderEnforceMaxQueuedControlFrames}) and empty DATA frames. A CONTINUATION flood ends at the
 * header list limit, which the frame reader checks as fragments arrive (Netty 4.1.108). What Netty
 * does not limit is a client that pings or re-sends SETTINGS as fast as it reads the answers; that
 * is counted here in a fixed window ({@code http2.max-control-frames} per {@code
 * http2.flood-window}).
 *
 * <p>Confined to the connection's event loop; the clock is injected.
 */
public final class Http2FloodGuard extends ChannelInboundHandlerAdapter {

  private final Http2Meters meters;
  private final LongSupplier nanos;
  private final int maxControl;
  private final long windowNanos;
  private long windowStart;
  private int control;
  private boolean closed;

  public Http2FloodGuard(Http2Config config, Http2Meters meters, LongSupplier nanos) {
    this.meters = requireNonNull(meters, "meters");
    this.nanos = requireNonNull(nanos, "nanos");
    this.maxControl = config.maxControlFrames();
    this.windowNanos = config.floodWindow().toNanos();
    this.windowStart = nanos.getAsLong();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if ((msg instanceof Http2PingFrame p && !p.ack()) || msg instanceof Http2SettingsFrame) {
      long now = nanos.getAsLong();
      if (now - windowStart >= windowNanos) {
        windowStart = now;
        control = 0;
      }
      if (++control > maxControl) {
        flood(ctx, Http2Meters.Flood.CONTROL_FRAMES);
        return; // ping and settings frames hold no buffers
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Http2Exception e = cause instanceof Http2Exception h ? h : null;
    if (e != null && e.error() == Http2Error.ENHANCE_YOUR_CALM && !closed) {
      closed = true;
      meters.flood(classify(e.getMessage()));
    } else if (e != null
        && e.error() == Http2Error.PROTOCOL_ERROR
        && isHeaderFlood(e.getMessage())
        && !closed) {
      closed = true;
      meters.flood(Http2Meters.Flood.CONTINUATION);
    }
    ctx.fireExceptionCaught(cause);
  }

  /** The flood a codec error of {@code message} reports. */
  static Http2Meters.Flood classify(String message) {
    String m = message == null ? "" : message;
    if (m.contains("RST")) {
      return Http2Meters.Flood.RAPID_RESET;
    }
    if (m.contains("control frames")) {
      return Http2Meters.Flood.CONTROL_QUEUE;
    }
    if (m.contains("empty") || m.contains("Empty")) {
      return Http2Meters.Flood.EMPTY_FRAMES;
    }
    if (isHeaderFlood(m)) {
      return Http2Meters.Flood.CONTINUATION;
    }
    return Http2Meters.Flood.OTHER;
  }

  private static boolean isHeaderFlood(String m) {
    return m != null
        && (m.contains("Header size exceeded")
            || m.contains("CONTINUATION")
            || m.contains("header list"));
  }

  private void flood(ChannelHandlerContext ctx, Http2Meters.Flood kind) {
    if (closed) {
      return;
    }
    closed = true;
    meters.flood(kind);
    ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
