package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.testing.leak.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The answer to a HEAD has no body on the wire, in order with pipelined and interim answers. */
@ExtendWith(LeakDetection.class)
class ServerCodecTest {

  private final EmbeddedChannel channel = new EmbeddedChannel();

  ServerCodecTest() {
    HttpFraming.install(channel.pipeline(), FramingLimits.DEFAULTS);
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private void receive(String requests) {
    channel.writeInbound(Unpooled.copiedBuffer(requests, StandardCharsets.US_ASCII));
    for (Object m; (m = channel.readInbound()) != null; ) {
      ReferenceCountUtil.release(m);
    }
  }

  /** A chunked answer with body {@code body} (or none), written whole; returns the wire bytes. */
  private String answer(HttpResponseStatus status, String body) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    channel.write(head);
    if (body != null) {
      channel.write(new DefaultHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII)));
    }
    channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    return wire();
  }

  private String wire() {
    StringBuilder out = new StringBuilder();
    for (Object m; (m = channel.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) m;
      out.append(b.toString(StandardCharsets.US_ASCII));
      b.release();
    }
    return out.toString();
  }

  @Test
  void theAnswerToAHeadHasNoBodyAndTheNextPipelinedAnswerHasItsOwn() {
    receive(
        "HEAD /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n"
            + "HEAD /c HTTP/1.1\r\nHost: t\r\n\r\n");

    assertThat(answer(HttpResponseStatus.OK, null))
        .isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    assertThat(answer(HttpResponseStatus.OK, "hi"))
        .isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
    assertThat(answer(HttpResponseStatus.OK, null))
        .isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    assertThat(channel.pipeline().get(ServerCodec.Encoder.class).unanswered()).isZero();
  }

  @Test
  void anInterimAnswerLeavesItsRequestWaitingForTheFinalOne() {
    receive("HEAD /a HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n");

    channel.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT); // as the relay ends an interim one
    assertThat(wire()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
    assertThat(channel.pipeline().get(ServerCodec.Encoder.class).unanswered()).isEqualTo(1);
    assertThat(answer(HttpResponseStatus.OK, null))
        .isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
  }

  @Test
  void anAnswerWithoutADecodedRequestKeepsTheOrderOfTheOthers() {
    // e.g. a 408 to a connection that never sent a request: nothing is waiting, nothing shifts
    assertThat(answer(HttpResponseStatus.REQUEST_TIMEOUT, "late"))
        .endsWith("4\r\nlate\r\n0\r\n\r\n");
    receive("HEAD /a HTTP/1.1\r\nHost: t\r\n\r\n");
    assertThat(answer(HttpResponseStatus.OK, null)).doesNotContain("0\r\n\r\n");
  }

  @Test
  void moreRequestsAheadOfTheirAnswersThanTheLimitFailTheDecoder() {
    String get = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    receive(get.repeat(ServerCodec.MAX_UNANSWERED));
    assertThat(channel.pipeline().get(ServerCodec.Encoder.class).unanswered())
        .isEqualTo(ServerCodec.MAX_UNANSWERED);

    // as Netty's HttpServerCodec: the decoder fails, and the frontend closes on the exception
    assertThatThrownBy(
            () -> channel.writeInbound(Unpooled.copiedBuffer(get, StandardCharsets.US_ASCII)))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("maxPipelineDepth exceeded: 128");
    for (Object m; (m = channel.readInbound()) != null; ) {
      ReferenceCountUtil.release(m);
    }
  }
}
