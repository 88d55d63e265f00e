package dev.tether.proxy.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.leak.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The answer to a HEAD is decoded without a body whatever its Content-Length says, the answers
 * after it with theirs, in order, also behind interim answers; the codec leaves the pipeline whole.
 */
@ExtendWith(LeakDetection.class)
class ClientCodecTest {

  private final EmbeddedChannel channel = new EmbeddedChannel();

  ClientCodecTest() {
    ClientCodec.install(channel.pipeline(), 4096, 8192, 8192);
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private String send(HttpMethod method, String path) {
    DefaultFullHttpRequest r =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, Unpooled.EMPTY_BUFFER);
    r.headers().set(HttpHeaderNames.HOST, "backend");
    channel.writeAndFlush(r);
    StringBuilder out = new StringBuilder();
    for (Object m; (m = channel.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) m;
      out.append(b.toString(StandardCharsets.US_ASCII));
      b.release();
    }
    return out.toString();
  }

  /** Each answer decoded from {@code wire}, as {@code status:body}. */
  private List<String> receive(String wire) {
    channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.US_ASCII));
    List<String> answers = new ArrayList<>();
    StringBuilder body = null;
    int status = 0;
    for (Object m; (m = channel.readInbound()) != null; ) {
      try {
        if (m instanceof HttpResponse r) {
          status = r.status().code();
          body = new StringBuilder();
        }
        if (m instanceof HttpContent c) {
          body.append(c.content().toString(StandardCharsets.US_ASCII));
        }
        if (m instanceof LastHttpContent) {
          answers.add(status + ":" + body);
        }
      } finally {
        ReferenceCountUtil.release(m);
      }
    }
    return answers;
  }

  @Test
  void theAnswerToAHeadHasNoBodyAndTheAnswersAfterItHaveTheirs() {
    assertThat(send(HttpMethod.GET, "/a")).startsWith("GET /a HTTP/1.1\r\n");
    send(HttpMethod.HEAD, "/b");
    send(HttpMethod.GET, "/c");

    List<String> answers =
        receive(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye");

    assertThat(answers).containsExactly("200:hi", "200:", "200:bye");
    assertThat(channel.pipeline().get(ClientCodec.Decoder.class).unanswered()).isZero();
  }

  @Test
  void anInterimAnswerLeavesTheHeadWaitingForItsFinalOne() {
    send(HttpMethod.HEAD, "/a");
    send(HttpMethod.GET, "/b");

    List<String> answers =
        receive(
            "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

    assertThat(answers).containsExactly("100:", "200:", "200:ok");
  }

  @Test
  void anAnswerToNoRequestIsFramedByItsHeaders() {
    assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")).containsExactly("200:hi");
    send(HttpMethod.HEAD, "/a");
    assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")).containsExactly("200:");
  }

  @Test
  void uninstallRemovesBothHandlersAndHandsOnBufferedBytes() {
    send(HttpMethod.GET, "/a");
    channel.writeInbound(
        Unpooled.copiedBuffer("HTTP/1.1 101 Switching", StandardCharsets.US_ASCII));
    assertThat(ClientCodec.installed(channel.pipeline())).isTrue();

    ClientCodec.uninstall(channel.pipeline());

    assertThat(ClientCodec.installed(channel.pipeline())).isFalse();
    assertThat(channel.pipeline().get(ClientCodec.ENCODER_NAME)).isNull();
    ByteBuf left = channel.readInbound();
    try {
      assertThat(left.toString(StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101 Switching");
    } finally {
      left.release();
    }
  }

  @Test
  void aChunkedAnswersTrailersAreAllKeptAndAFixedLengthAnswerHasNone() {
    send(HttpMethod.GET, "/chunked");
    send(HttpMethod.GET, "/fixed");
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
                + "Checksum: 7\r\nGrpc-Status: 0\r\nGrpc-Message: ok\r\nX-A: 1\r\nX-B: 2\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
            StandardCharsets.US_ASCII));
    List<LastHttpContent> ends = new ArrayList<>();
    for (Object m; (m = channel.readInbound()) != null; ) {
      if (m instanceof LastHttpContent last) {
        ends.add(last);
      } else {
        ReferenceCountUtil.release(m);
      }
    }
    try {
      assertThat(ends).hasSize(2);
      var trailers = ends.get(0).trailingHeaders();
      assertThat(trailers.names())
          .containsExactlyInAnyOrder("Checksum", "Grpc-Status", "Grpc-Message", "X-A", "X-B");
      assertThat(trailers.get("checksum")).isEqualTo("7");
      assertThat(trailers.get("x-b")).isEqualTo("2");
      assertThat(ends.get(1).trailingHeaders().isEmpty()).isTrue();
      assertThat(ends.get(1).content().toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
    } finally {
      ends.forEach(ReferenceCountUtil::release);
    }
  }
}
