package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.http.FramingHarness.Content;
import dev.tether.proxy.http.FramingHarness.Event;
import dev.tether.proxy.http.FramingHarness.Request;
import dev.tether.testing.leak.LeakDetection;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How violations are answered: ordering with responses, bytes during the error, decoder failures.
 */
@ExtendWith(LeakDetection.class)
class FramingGateTest {

  private static final String GOOD = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n";
  private static final String BAD = "GET /2 HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n";

  @Test
  void firesTheViolationBeforeTheConnectionCloses() {
    List<String> seen = new ArrayList<>();
    try (FramingHarness harness = new FramingHarness()) {
      harness
          .channel()
          .pipeline()
          .addBefore(
              "capture",
              "observer",
              new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                  seen.add("event, open=" + ctx.channel().isOpen());
                  ctx.fireUserEventTriggered(evt);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                  seen.add("inactive");
                  ctx.fireChannelInactive();
                }
              });
      harness.send(BAD);

      assertThat(seen).containsExactly("event, open=true", "inactive");
      harness.assertRejected(400);
    }
  }

  @Test
  void writesTheErrorAfterTheResponseInProgressAndDiscardsPipelinedBytes() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(GOOD);
      assertThat(harness.forwarded()).hasSize(2);
      DefaultHttpResponse head =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4);
      harness.channel().writeAndFlush(head);
      harness
          .channel()
          .writeAndFlush(
              new DefaultHttpContent(ByteBufUtil.writeAscii(harness.channel().alloc(), "ab")));

      harness.send(BAD);
      // the response to /1 is still being written: no error yet, connection still open
      assertThat(harness.violations()).hasSize(1);
      assertThat(harness.channel().isOpen()).isTrue();
      assertThat(harness.output()).doesNotContain("400");
      // bytes pipelined while the error waits are released unread
      harness.send(GOOD + "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");

      harness
          .channel()
          .writeAndFlush(
              new DefaultLastHttpContent(ByteBufUtil.writeAscii(harness.channel().alloc(), "cd")));

      String out = harness.output();
      assertThat(out)
          .startsWith("HTTP/1.1 200 OK\r\n")
          .contains("\r\n\r\nabcdHTTP/1.1 400 Bad Request\r\n");
      assertThat(harness.channel().isOpen()).isFalse();
      assertThat(harness.forwarded()).hasSize(2);
    }
  }

  @Test
  void dropsResponsesWrittenAfterTheError() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(GOOD + BAD);
      harness.assertRejected(400);
      ChannelFuture late =
          harness
              .channel()
              .writeAndFlush(
                  new DefaultLastHttpContent(
                      ByteBufUtil.writeAscii(harness.channel().alloc(), "late")));
      assertThat(late.isSuccess()).isFalse();
      assertThat(harness.output()).doesNotContain("late");
    }
  }

  @Test
  void abandonsARequestWhoseChunkedBodyTurnsBad() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
      assertThat(harness.forwarded()).hasSize(2);
      harness.send("3\r\ndefX\r\n0\r\n\r\n");

      assertThat(harness.received()).hasSize(3);
      assertThat(harness.received().get(0)).isInstanceOf(Request.class);
      assertThat(harness.received().get(1)).isEqualTo(new Content("abc", false, List.of()));
      assertThat(harness.received().get(2)).isInstanceOf(Event.class);
      harness.assertRejectedInPieces(400, 0);
    }
  }

  @Test
  void reportsAConnectionClosedInTheMiddleOfAHeaderSection() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Le");
      harness.channel().close();

      assertThat(harness.forwarded()).isEmpty();
      assertThat(harness.violations())
          .containsExactly(
              new FramingViolation(
                  HttpResponseStatus.BAD_REQUEST,
                  "connection closed before the request was complete"));
      assertThat(harness.output()).isEmpty();
    }
  }

  @Test
  void endsNothingWhenTheConnectionClosesInTheMiddleOfABody() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
      harness.channel().close();

      // Netty 4.2 emits no LastHttpContent on a premature close: the proxy sees channelInactive.
      assertThat(harness.received()).hasSize(2);
      assertThat(harness.received().get(1)).isEqualTo(new Content("abc", false, List.of()));
      assertThat(harness.output()).isEmpty();
    }
  }

  @Test
  void mapsDecoderFailuresToStatuses() {
    assertThat(FramingGate.fromDecoder(new TooLongHttpLineException("line")).status())
        .isEqualTo(HttpResponseStatus.REQUEST_URI_TOO_LONG);
    assertThat(FramingGate.fromDecoder(new TooLongHttpHeaderException("headers")).status())
        .isEqualTo(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
    assertThat(FramingGate.fromDecoder(new TooLongFrameException("frame")).status())
        .isEqualTo(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
    assertThat(FramingGate.fromDecoder(new IllegalArgumentException("bad\r\nthing")).reason())
        .isEqualTo("malformed request: bad??thing");
    assertThat(FramingGate.fromDecoder(null).status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
  }

  @Test
  void answersAFailedDecoderResultAndReleasesIt() {
    try (FramingHarness harness = new FramingHarness()) {
      DefaultLastHttpContent failed =
          new DefaultLastHttpContent(ByteBufUtil.writeAscii(harness.channel().alloc(), "partial"));
      failed.setDecoderResult(DecoderResult.failure(new TooLongHttpHeaderException("too big")));
      harness.channel().pipeline().context(HttpFraming.DECODER_NAME).fireChannelRead(failed);

      harness.assertRejected(431);
    }
  }

  @Test
  void uninstallRemovesTheLayer() {
    try (FramingHarness harness = new FramingHarness()) {
      HttpFraming.uninstall(harness.channel().pipeline());
      assertThat(harness.channel().pipeline().names())
          .doesNotContain(
              HttpFraming.GUARD_NAME,
              HttpFraming.DECODER_NAME,
              HttpFraming.ENCODER_NAME,
              HttpFraming.GATE_NAME);
    }
  }

  @Test
  void installOrdersGuardDecoderEncoderGate() {
    try (FramingHarness harness = new FramingHarness()) {
      List<String> names = harness.channel().pipeline().names();
      assertThat(names.indexOf(HttpFraming.GUARD_NAME))
          .isLessThan(names.indexOf(HttpFraming.DECODER_NAME));
      assertThat(names.indexOf(HttpFraming.DECODER_NAME))
          .isLessThan(names.indexOf(HttpFraming.ENCODER_NAME));
      assertThat(names.indexOf(HttpFraming.ENCODER_NAME))
          .isLessThan(names.indexOf(HttpFraming.GATE_NAME));
      assertThat(names.indexOf(HttpFraming.GATE_NAME)).isLessThan(names.indexOf("capture"));
    }
  }
}
