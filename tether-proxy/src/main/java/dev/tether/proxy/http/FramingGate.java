package dev.tether.proxy.http;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits after the HTTP codec and turns a {@link FramingViolation} into the error response: it fires
 * the violation to the handlers after it, writes {@code status}, {@code Connection: close}, {@code
 * Content-Type: text/plain} and the one-line reason, then closes the connection. From the violation
 * on, every inbound message is released, never passed on.
 *
 * <p>Design note. Violations come from the {@link RequestFramingGuard} (as a user event through the
 * decoder) or, as a second line of defence, from a decoder result failure of Netty's own parser
 * (line too long → 414, headers too large → 431, else 400; a connection closed in the middle of a
 * header section is reported the same way, with nothing left to write to). Responses must not
 * interleave: if a response of an earlier request is being written when the violation happens, the
 * error is written right after that response's {@link LastHttpContent}. Once the error is written,
 * later response writes are released and their promises failed.
 */
final class FramingGate extends ChannelDuplexHandler {

  private boolean rejected;
  private boolean responseInProgress;
  private FramingViolation pending;
  private boolean errorWritten;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (rejected) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
      DecoderResult result = object.decoderResult();
      ReferenceCountUtil.release(msg);
      violate(ctx, FramingViolation.ofDecoderFailure(result.cause()));
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof FramingViolation violation) {
      if (!rejected) {
        violate(ctx, violation);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (errorWritten) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(
          new IllegalStateException(
              "connection is closing after a framing violation; response dropped"));
      return;
    }
    boolean ends = false;
    if (msg instanceof HttpResponse response
        && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
      responseInProgress = true;
    }
    if (msg instanceof LastHttpContent
        && responseInProgress
        && !(msg instanceof HttpResponse response
            && response.status().codeClass() == HttpStatusClass.INFORMATIONAL)) {
      responseInProgress = false;
      ends = true;
    }
    ctx.write(msg, promise);
    if (ends && pending != null) {
      FramingViolation violation = pending;
      pending = null;
      writeError(ctx, violation);
    }
  }

  private void violate(ChannelHandlerContext ctx, FramingViolation violation) {
    rejected = true;
    ctx.fireUserEventTriggered(violation);
    if (!ctx.channel().isActive()) {
      return;
    }
    if (responseInProgress) {
      pending = violation;
      ctx.flush();
    } else {
      writeError(ctx, violation);
    }
  }

  private void writeError(ChannelHandlerContext ctx, FramingViolation violation) {
    ctx.writeAndFlush(errorResponse(ctx.alloc(), violation))
        .addListener(ChannelFutureListener.CLOSE);
    errorWritten = true;
  }

  static FullHttpResponse errorResponse(ByteBufAllocator alloc, FramingViolation violation) {
    requireNonNull(violation, "violation");
    ByteBuf body = ByteBufUtil.writeAscii(alloc, violation.message() + "\n");
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, violation.status(), body);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=us-ascii")
        .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return response;
  }

  /** See {@link FramingViolation#ofDecoderFailure}. */
  static FramingViolation fromDecoder(Throwable cause) {
    return FramingViolation.ofDecoderFailure(cause);
  }
}
