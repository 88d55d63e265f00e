package dev.tether.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.leak.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What an HTTP/2 stream's frames become for the frontend handler, and its responses become. */
@ExtendWith(LeakDetection.class)
class StreamCodecTest {

  private final EmbeddedChannel ch = new EmbeddedChannel(new Http2Frontend.StreamCodec(null));

  /** As the HPACK decoder gives them: names are {@code AsciiString}s. */
  private static Http2Headers request(String method, String path) {
    return new DefaultHttp2Headers()
        .method(method)
        .path(path)
        .scheme("https")
        .authority("shop.test")
        .add(HttpHeaderNames.COOKIE, "a=1")
        .add(HttpHeaderNames.COOKIE, "SRV=s2.token")
        .add(HttpHeaderNames.ACCEPT, "*/*");
  }

  @Test
  void aRequestWithoutABodyIsItsHeadAndAnEmptyEndWithoutNettysExtensionHeaders() {
    ch.writeInbound(new DefaultHttp2HeadersFrame(request("GET", "/cart?x=1"), true));

    HttpRequest req = ch.readInbound();
    assertThat(req).isNotInstanceOf(HttpContent.class);
    assertThat(req.method().name()).isEqualTo("GET");
    assertThat(req.uri()).isEqualTo("/cart?x=1");
    assertThat(req.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(req.headers().get(HttpHeaderNames.HOST)).isEqualTo("shop.test");
    assertThat(req.headers().getAll(HttpHeaderNames.COOKIE)).containsExactly("a=1; SRV=s2.token");
    assertThat(req.headers().get("accept")).isEqualTo("*/*");
    assertThat(req.headers().names()).noneMatch(n -> n.toLowerCase().startsWith("x-http2-"));
    assertThat(req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();

    Object end = ch.readInbound();
    assertThat(end).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void aRequestWithABodyIsItsHeadThenItsContentsInOrder() {
    ch.writeInbound(
        new DefaultHttp2HeadersFrame(request("POST", "/pay").setInt("content-length", 5), false));
    ch.writeInbound(new DefaultHttp2DataFrame(ascii("ab"), false));
    ch.writeInbound(new DefaultHttp2DataFrame(ascii("cde"), true));

    HttpRequest req = ch.readInbound();
    assertThat(req.method().name()).isEqualTo("POST");
    assertThat(req.headers().get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("5");
    assertThat(req.headers().names()).noneMatch(n -> n.toLowerCase().startsWith("x-http2-"));
    HttpContent first = ch.readInbound();
    assertThat(first).isNotInstanceOf(LastHttpContent.class);
    assertThat(first.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ab");
    first.release();
    LastHttpContent last = ch.readInbound();
    assertThat(last.content().toString(StandardCharsets.US_ASCII)).isEqualTo("cde");
    last.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void aBodyOfUnknownLengthIsFramedChunkedForTheBackend() {
    ch.writeInbound(new DefaultHttp2HeadersFrame(request("PUT", "/upload"), false));
    ch.writeInbound(new DefaultHttp2DataFrame(ascii("x"), true));

    HttpRequest req = ch.readInbound();
    assertThat(req.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("chunked");
    LastHttpContent last = ch.readInbound();
    last.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void trailersOfARequestAreItsLastContent() {
    ch.writeInbound(new DefaultHttp2HeadersFrame(request("POST", "/grpc"), false));
    ch.writeInbound(new DefaultHttp2DataFrame(ascii("m"), false));
    ch.writeInbound(
        new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("checksum", "7"), true));

    HttpRequest req = ch.readInbound();
    assertThat(req.uri()).isEqualTo("/grpc");
    HttpContent body = ch.readInbound();
    body.release();
    LastHttpContent trailers = ch.readInbound();
    assertThat(trailers.trailingHeaders().get("checksum")).isEqualTo("7");
    trailers.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void aResponseBecomesHeadersAndDataFramesWithoutHstsOnCleartext() {
    DefaultFullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, ascii("hello"));
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5).set("x-server", "s1");
    ch.writeOutbound(r);

    Http2HeadersFrame head = ch.readOutbound();
    assertThat(head.headers().status().toString()).isEqualTo("200");
    assertThat(head.headers().get("x-server").toString()).isEqualTo("s1");
    assertThat(head.headers().contains("strict-transport-security")).isFalse();
    assertThat(head.isEndStream()).isFalse();
    Http2DataFrame data = ch.readOutbound();
    assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
    assertThat(data.isEndStream()).isTrue();
    data.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void aStreamedResponseBecomesItsFramesWithEachChunksOwnBuffer() {
    DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 7).set("x-server", "s2");
    ByteBuf chunk = ascii("hel");
    ByteBuf end = ascii("lo!\n");
    ch.writeOutbound(r, new DefaultHttpContent(chunk), new DefaultLastHttpContent(end));

    Http2HeadersFrame head = ch.readOutbound();
    assertThat(head.headers().status().toString()).isEqualTo("200");
    assertThat(head.headers().get("x-server").toString()).isEqualTo("s2");
    assertThat(head.isEndStream()).isFalse();
    Http2DataFrame first = ch.readOutbound();
    assertThat(first.content()).isSameAs(chunk);
    assertThat(first.isEndStream()).isFalse();
    Http2DataFrame last = ch.readOutbound();
    assertThat(last.content()).isSameAs(end);
    assertThat(last.isEndStream()).isTrue();
    // each buffer is owned by its frame alone: one release frees it
    assertThat(chunk.refCnt()).isEqualTo(1);
    assertThat(end.refCnt()).isEqualTo(1);
    first.release();
    last.release();
    assertThat(chunk.refCnt()).isZero();
    assertThat(end.refCnt()).isZero();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void trailersAndInformationalResponsesStillGoThroughTheCodec() {
    ch.writeOutbound(
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE),
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    DefaultLastHttpContent trailers = new DefaultLastHttpContent(ascii("x"));
    trailers.trailingHeaders().set("grpc-status", "0");
    ch.writeOutbound(trailers);

    Http2HeadersFrame informational = ch.readOutbound();
    assertThat(informational.headers().status().toString()).isEqualTo("100");
    assertThat(informational.isEndStream()).isFalse();
    Http2HeadersFrame head = ch.readOutbound();
    assertThat(head.headers().status().toString()).isEqualTo("200");
    Http2DataFrame data = ch.readOutbound();
    assertThat(data.isEndStream()).isFalse();
    data.release();
    Http2HeadersFrame end = ch.readOutbound();
    assertThat(end.headers().get("grpc-status").toString()).isEqualTo("0");
    assertThat(end.isEndStream()).isTrue();
    assertThat(ch.finish()).isFalse();
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }
}
