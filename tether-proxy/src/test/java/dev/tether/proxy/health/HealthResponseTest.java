package dev.tether.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.proxy.config.HealthConfig;
import dev.tether.proxy.config.StatusRanges;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading and judging health responses from bytes, without sockets: status, headers, body framings,
 * limits, and how a configured check judges the result.
 */
class HealthResponseTest {

  private static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static HealthResponse read(String s, int limit, String stopAt) throws IOException {
    return HealthResponse.read(
        bytes(s), limit, stopAt == null ? null : stopAt.getBytes(StandardCharsets.UTF_8), false);
  }

  @Test
  void readsStatusHeadersAndAContentLengthBody() throws IOException {
    HealthResponse r =
        read(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTether-State: drain\r\nX: 1\r\nx: 2\r\n\r\nhello-and-more",
            100,
            null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("tether-state")).isEqualTo("drain");
    assertThat(r.header("X")).as("the first of repeated headers").isEqualTo("1");
    assertThat(r.bodyText()).isEqualTo("hello");
  }

  @Test
  void deChunksAndStopsAtTheLimit() throws IOException {
    String chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nall \r\n5\r\ngood!\r\n0\r\n\r\n";
    assertThat(read(chunked, 100, null).bodyText()).isEqualTo("all good!");
    assertThat(read(chunked, 6, null).bodyText()).isEqualTo("all go");
    String untilClose = "HTTP/1.0 200 OK\r\n\r\n" + "x".repeat(70_000);
    assertThat(read(untilClose, HealthConfig.BODY_LIMIT, null).body()).hasSize(64 * 1024);
  }

  @Test
  void stopsReadingOnceTheExpectedTextIsSeen() throws IOException {
    InputStream endless =
        new InputStream() {
          private final byte[] head =
              "HTTP/1.1 200 OK\r\n\r\nstatus: ok ".getBytes(StandardCharsets.US_ASCII);
          private int i;

          @Override
          public int read() {
            return i < head.length ? head[i++] : 'z';
          }
        };
    HealthResponse r =
        HealthResponse.read(
            endless, HealthConfig.BODY_LIMIT, "ok".getBytes(StandardCharsets.UTF_8), false);
    assertThat(r.bodyText()).startsWith("status: ok");
    assertThat(r.body().length)
        .as("read in one buffer, not up to the limit")
        .isLessThanOrEqualTo(4096);
  }

  @Test
  void skipsInterimResponsesAndReadsNoBodyWhereThereIsNone() throws IOException {
    HealthResponse r =
        read(
            "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\ngarbage",
            100,
            null);
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    HealthResponse head =
        HealthResponse.read(
            bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"), 100, null, true);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void refusesWhatIsNotHttpOrBreaksALimit() {
    assertThatThrownBy(() -> read("", 0, null))
        .hasMessage("connection closed before a status line");
    assertThatThrownBy(() -> read("SSH-2.0-OpenSSH\r\n", 0, null))
        .hasMessage("not an HTTP status line: SSH-2.0-OpenSSH");
    assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", 0, null))
        .hasMessage("malformed header line: no colon here");
    assertThatThrownBy(
            () -> read("HTTP/1.1 200 OK\r\nA: " + "a".repeat(2000) + "\r\n\r\n", 0, null))
        .hasMessage("line longer than 1024 bytes");
    StringBuilder many = new StringBuilder("HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 40; i++) {
      many.append("H").append(i).append(": ").append("v".repeat(500)).append("\r\n");
    }
    assertThatThrownBy(() -> read(many + "\r\n", 0, null))
        .hasMessage("header section longer than 16384 bytes");
    assertThatThrownBy(
            () -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 10, null))
        .hasMessage("bad chunk size: zz");
    assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\n", 0, null))
        .hasMessage("connection closed inside the headers");
  }

  private static HealthConfig check(
      String method, StatusRanges expect, String body, boolean agent) {
    return new HealthConfig(
        "/health",
        Duration.ofSeconds(2),
        Duration.ofSeconds(1),
        2,
        3,
        HealthConfig.Kind.HTTP,
        method,
        expect,
        body,
        null,
        agent);
  }

  @Test
  void aCheckJudgesStatusRangesAndBodyAndReadsAgentHeadersOnFailuresToo() throws IOException {
    HttpHealthProbe probe =
        new HttpHealthProbe(
            check(
                "GET",
                new StatusRanges(
                    List.of(new StatusRanges.Range(200, 204), new StatusRanges.Range(418, 418))),
                "ready",
                true));
    HealthProbe.Result teapot =
        probe.judge(
            read("HTTP/1.1 418 I'm a teapot\r\nContent-Length: 8\r\n\r\nready!!!", 100, null));
    assertThat(teapot.passed()).isTrue();
    assertThat(teapot.agent()).isEqualTo(AgentReport.NONE);

    HealthProbe.Result wrongBody =
        probe.judge(read("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbusy", 100, null));
    assertThat(wrongBody)
        .isEqualTo(
            new HealthProbe.Result(
                false,
                "HTTP 200 but the first 4 bytes of the body lack 'ready'",
                AgentReport.NONE));

    HealthProbe.Result unavailable =
        probe.judge(read("HTTP/1.1 503 Busy\r\nTether-State: down\r\n\r\n", 100, null));
    assertThat(unavailable.passed()).isFalse();
    assertThat(unavailable.detail()).isEqualTo("HTTP 503 (expected 200-204, 418)");
    assertThat(unavailable.agent().state()).isEqualTo(AgentState.DOWN);

    HttpHealthProbe noAgent = new HttpHealthProbe(check("HEAD", StatusRanges.DEFAULT, null, false));
    assertThat(noAgent.judge(read("HTTP/1.1 302 Found\r\nTether-State: drain\r\n\r\n", 0, null)))
        .isEqualTo(new HealthProbe.Result(true, "HTTP 302", null));
  }

  @Test
  void theRequestCarriesMethodPathAndTheConfiguredHost() {
    HealthConfig c =
        new HealthConfig(
            "/status?deep=1",
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            2,
            3,
            HealthConfig.Kind.HTTP,
            "OPTIONS",
            StatusRanges.DEFAULT,
            null,
            "app.example.com",
            true);
    assertThat(new HttpHealthProbe(c).request(new java.net.InetSocketAddress("127.0.0.1", 8080)))
        .startsWith("OPTIONS /status?deep=1 HTTP/1.1\r\nHost: app.example.com\r\n")
        .contains("Connection: close\r\n")
        .endsWith("\r\n\r\n");
    assertThat(new HttpHealthProbe("/h").request(new java.net.InetSocketAddress("::1", 9001)))
        .startsWith("GET /h HTTP/1.1\r\nHost: [0:0:0:0:0:0:0:1]:9001\r\n");
  }
}
