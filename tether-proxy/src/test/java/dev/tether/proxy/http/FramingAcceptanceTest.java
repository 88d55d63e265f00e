package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.http.FramingHarness.Content;
import dev.tether.proxy.http.FramingHarness.Received;
import dev.tether.proxy.http.FramingHarness.Request;
import dev.tether.testing.leak.LeakDetection;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Valid requests pass unchanged, stream in bounded pieces, and leave the connection open. */
@ExtendWith(LeakDetection.class)
class FramingAcceptanceTest {

  @Test
  void passesGet() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send("GET /a?b=c HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\n");

      HttpRequest request = singleRequest(harness);
      assertThat(request.method()).isEqualTo(HttpMethod.GET);
      assertThat(request.uri()).isEqualTo("/a?b=c");
      assertThat(request.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
      assertThat(request.headers().get(HttpHeaderNames.HOST)).isEqualTo("example.test");
      assertThat(bodies(harness)).containsExactly("");
      assertOpenAndSilent(harness);
    }
  }

  @Test
  void streamsPostWithContentLength() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send("POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello").send(" world");

      assertThat(singleRequest(harness).headers().get(HttpHeaderNames.CONTENT_LENGTH))
          .isEqualTo("11");
      assertThat(bodies(harness)).containsExactly("hello world");
      assertThat(lastContent(harness).last()).isTrue();
      assertOpenAndSilent(harness);
    }
  }

  @Test
  void acceptsContentLengthWithLeadingZeros() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(
          "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 00000000000000000000005\r\n\r\nhello");

      assertThat(bodies(harness)).containsExactly("hello");
      assertOpenAndSilent(harness);
    }
  }

  @Test
  void passesChunkedPostWithExtensionsAndTrailers() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(
          "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\nTrailer: X-Sum\r\n\r\n"
              + "5;ext=1\r\nhello\r\n"
              + "6 ; name = \"q\\\"x;y\" ; flag\r\n world\r\n"
              + "000\r\nX-Sum: 42\r\n\r\n");

      HttpRequest request = singleRequest(harness);
      assertThat(request.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("Chunked");
      assertThat(request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
      assertThat(bodies(harness)).containsExactly("hello world");
      assertThat(lastContent(harness).trailers()).containsExactly("X-Sum: 42");
      assertOpenAndSilent(harness);
    }
  }

  @Test
  void passesChunkedPostSentByteByByte() {
    String request =
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "a;x=y\r\n0123456789\r\n0\r\n\r\n";
    try (FramingHarness harness = new FramingHarness()) {
      for (int i = 0; i < request.length(); i++) {
        harness.send(request.substring(i, i + 1));
      }
      assertThat(bodies(harness)).containsExactly("0123456789");
      assertOpenAndSilent(harness);
    }
  }

  @Test
  void passesPipelinedKeepAliveRequestsInOrder() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(
          "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
              + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
              + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
              + "\r\nGET /4 HTTP/1.1\r\nHost: a\r\n\r\n");

      assertThat(requests(harness))
          .extracting(HttpRequest::uri)
          .containsExactly("/1", "/2", "/3", "/4");
      assertThat(bodies(harness)).containsExactly("", "abc", "de", "");
      assertOpenAndSilent(harness);
    }
  }

  @Test
  void passesExpectContinueUntouched() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(
          "PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");

      assertThat(singleRequest(harness).headers().get(HttpHeaderNames.EXPECT))
          .isEqualTo("100-continue");
      assertOpenAndSilent(harness);
      harness.send("ok");
      assertThat(bodies(harness)).containsExactly("ok");
    }
  }

  @Test
  void acceptsHttp10WithoutHost() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send("GET / HTTP/1.0\r\n\r\n");

      assertThat(singleRequest(harness).protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
      assertOpenAndSilent(harness);
    }
  }

  @Test
  void acceptsAbsoluteFormAndAsteriskForm() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(
          "GET http://example.test:8080/p?q HTTP/1.1\r\nHost: example.test:8080\r\n\r\n"
              + "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");

      assertThat(requests(harness))
          .extracting(HttpRequest::uri)
          .containsExactly("http://example.test:8080/p?q", "*");
      assertOpenAndSilent(harness);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.test",
        "example.test:8080",
        "127.0.0.1:1",
        "[::1]",
        "[::1]:8080",
        "xn--bcher-kva.example",
        "a%2Db.test",
        "host:"
      })
  void acceptsValidHosts(String host) {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");

      assertThat(singleRequest(harness).headers().get(HttpHeaderNames.HOST)).isEqualTo(host);
      assertOpenAndSilent(harness);
    }
  }

  @Test
  void acceptsOwsTabsObsTextAndLeadingEmptyLines() {
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(
          "\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost:\ta \r\nX-Name: caf\u00e9\t\r\nContent-Length:\t0\r\n\r\n");

      HttpRequest request = singleRequest(harness);
      assertThat(request.headers().get("X-Name")).isEqualTo("caf\u00e9");
      assertThat(request.headers().get(HttpHeaderNames.HOST)).isEqualTo("a");
      assertOpenAndSilent(harness);
    }
  }

  @Test
  void acceptsExactlyTheLimits() {
    FramingLimits limits = new FramingLimits(64, 200, 5, 8);
    String line = "GET /" + "a".repeat(64 - "GET / HTTP/1.1".length()) + " HTTP/1.1";
    // 5 fields, CRLFs included: 9 + 3 * 49 + 44 = 200 bytes.
    String fields =
        "Host: a\r\n"
            + ("X-1: " + "v".repeat(42) + "\r\n").repeat(3)
            + "X-2: "
            + "v".repeat(37)
            + "\r\n";
    assertThat(line).hasSize(64);
    assertThat(fields).hasSize(200);
    try (FramingHarness harness = new FramingHarness(limits)) {
      harness.send(line + "\r\n" + fields + "\r\n");

      assertThat(singleRequest(harness).headers().size()).isEqualTo(5);
      assertOpenAndSilent(harness);
    }
  }

  @Test
  void rejectsOneByteOrFieldOverTheLimits() {
    FramingLimits limits = new FramingLimits(64, 200, 5, 8);
    String line = "GET /" + "a".repeat(64 - "GET / HTTP/1.1".length()) + " HTTP/1.1";
    String fields =
        "Host: a\r\n"
            + ("X-1: " + "v".repeat(42) + "\r\n").repeat(3)
            + "X-2: "
            + "v".repeat(37)
            + "\r\n";
    try (FramingHarness harness = new FramingHarness(limits)) {
      harness.send(line.replace("/", "/a") + "\r\n" + fields + "\r\n");
      harness.assertRejected(414);
    }
    try (FramingHarness harness = new FramingHarness(limits)) {
      harness.send(line + "\r\n" + fields.replace("X-2: ", "X-2: v") + "\r\n");
      harness.assertRejected(431);
    }
    try (FramingHarness harness = new FramingHarness(limits)) {
      harness.send(line + "\r\n" + "Host: a\r\n" + "X: 1\r\n".repeat(5) + "\r\n");
      harness.assertRejected(431);
    }
  }

  @Test
  void streamsLargeBodiesInPiecesOfAtMostMaxChunkSize() {
    FramingLimits limits = new FramingLimits(8192, 16384, 100, 16);
    String body = "0123456789abcdef".repeat(5) + "xyz";
    try (FramingHarness harness = new FramingHarness(limits)) {
      harness
          .send(
              "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .send(
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + Integer.toHexString(body.length())
                  + "\r\n"
                  + body
                  + "\r\n0\r\n\r\n");

      List<Content> pieces =
          harness.received().stream()
              .filter(r -> r instanceof Content)
              .map(r -> (Content) r)
              .toList();
      assertThat(pieces).allSatisfy(c -> assertThat(c.text().length()).isLessThanOrEqualTo(16));
      assertThat(pieces.size()).isGreaterThanOrEqualTo(2 * 6);
      assertThat(bodies(harness)).containsExactly(body, body);
      assertOpenAndSilent(harness);
    }
  }

  private static void assertOpenAndSilent(FramingHarness harness) {
    assertThat(harness.channel().isOpen()).as("channel open").isTrue();
    assertThat(harness.output()).as("written to the client").isEmpty();
    assertThat(harness.violations()).isEmpty();
  }

  private static HttpRequest singleRequest(FramingHarness harness) {
    assertThat(requests(harness)).hasSize(1);
    return requests(harness).getFirst();
  }

  private static List<HttpRequest> requests(FramingHarness harness) {
    return harness.received().stream()
        .filter(r -> r instanceof Request)
        .map(r -> ((Request) r).request())
        .toList();
  }

  private static Content lastContent(FramingHarness harness) {
    Received last = harness.received().getLast();
    assertThat(last).isInstanceOf(Content.class);
    return (Content) last;
  }

  /** The bodies of the complete requests received, each the concatenation of its pieces. */
  private static List<String> bodies(FramingHarness harness) {
    List<String> bodies = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    for (Received r : harness.received()) {
      if (r instanceof Content c) {
        body.append(c.text());
        if (c.last()) {
          bodies.add(body.toString());
          body.setLength(0);
        }
      }
    }
    return bodies;
  }
}
