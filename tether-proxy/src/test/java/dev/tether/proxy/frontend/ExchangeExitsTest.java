package dev.tether.proxy.frontend;

import static dev.tether.proxy.frontend.ExchangeHarness.chunk;
import static dev.tether.proxy.frontend.ExchangeHarness.get;
import static dev.tether.proxy.frontend.ExchangeHarness.head;
import static dev.tether.proxy.frontend.ExchangeHarness.last;
import static dev.tether.proxy.frontend.ExchangeHarness.post;
import static dev.tether.proxy.frontend.ExchangeHarness.requests;
import static dev.tether.proxy.frontend.ExchangeHarness.respond;
import static dev.tether.proxy.frontend.ExchangeHarness.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.proxy.config.RetriesConfig;
import dev.tether.proxy.http.FramingViolation;
import dev.tether.testing.leak.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way an exchange ends, driven object by object on embedded channels: each test asserts what
 * the client got, the one access log line and the one meter record of the exchange, that the
 * server's in-flight count is back to zero, and (after each test) that no buffer leaked under
 * paranoid leak detection.
 */
@ExtendWith(LeakDetection.class)
class ExchangeExitsTest {

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @Test
  void aCompletedExchangeReturnsItsConnectionAndServesTheRequestPipelinedBehindIt() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.send(
          get("/a"),
          DefaultLastHttpContent.EMPTY_LAST_CONTENT,
          get("/b"),
          DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      EmbeddedChannel s1 = h.backends.last();
      assertThat(requests(s1)).hasSize(2); // the head of /a and its end; /b waits behind it
      assertThat(h.backends.opened()).hasSize(1);

      respond(s1, 200, "first");
      List<Object> out = h.received();
      assertThat(out.get(0)).isInstanceOf(io.netty.handler.codec.http.HttpResponse.class);
      // /b went out as soon as /a ended: to s2 (round robin), on a connection of its own
      assertThat(h.backends.opened()).hasSize(2);
      EmbeddedChannel s2 = h.backends.last();
      assertThat(((HttpRequest) requests(s2).get(0)).uri()).isEqualTo("/b");
      respond(s2, 200, "second");

      assertThat(h.backends.pooled).isEqualTo(2);
      assertThat(h.backends.discarded).isZero();
      assertThat(h.client.isOpen()).isTrue();
      assertThat(h.logLines())
          .extracting(l -> l.get("path").asText() + " " + l.get("status").asInt())
          .containsExactly("/a 200", "/b 200");
      assertThat(h.recorded("s1")).isEqualTo(1);
      assertThat(h.recorded("s2")).isEqualTo(1);
      assertThat(h.inFlight("s1") + h.inFlight("s2")).isZero();
    }
  }

  @Test
  void aClientGoneMidBodyIsLoggedAs499AndItsBackendConnectionClosed() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      HttpContent part = chunk("abc");
      h.send(post("/upload", 10), part);
      EmbeddedChannel s1 = h.backends.last();
      assertThat(requests(s1)).hasSize(2).last().isEqualTo("abc");

      h.client.close();

      assertThat(s1.isOpen()).isFalse();
      assertThat(h.backends.discarded).isEqualTo(1);
      JsonNode line = h.onlyLine();
      assertThat(line.get("status").asInt()).isEqualTo(499);
      assertThat(line.get("note").asText()).isEqualTo("client closed the connection");
      assertThat(h.recorded("s1")).isEqualTo(1);
      assertThat(h.inFlight("s1")).isZero();
    }
  }

  @Test
  void aClientGoneWhileItsBodyWaitsForAConnectionReleasesTheWaitingBody() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.backends.holdConnects();
      HttpContent part = chunk("waiting");
      h.send(post("/upload", 20), part);
      ByteBuf held = part.content();
      assertThat(held.refCnt()).isEqualTo(1); // queued for the connection being opened

      h.client.close();
      assertThat(held.refCnt()).isZero();
      h.backends.completeConnect(); // the late connection is not used: back to the pool
      assertThat(requests(h.backends.last())).isEmpty();
      assertThat(h.backends.pooled).isEqualTo(1);

      assertThat(h.onlyLine().get("status").asInt()).isEqualTo(499);
      assertThat(h.recorded("s1")).isEqualTo(1);
    }
  }

  @Test
  void aBackendResetBeforeTheHeadOfARequestThatMustNotBeSentTwiceIsAnswered502() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.send(post("/order", 3), last("abc"));
      EmbeddedChannel s1 = h.backends.last();
      requests(s1);

      s1.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

      assertThat(h.statuses()).containsExactly(502);
      assertThat(h.backends.opened()).hasSize(1); // a POST is never sent to another server
      assertThat(h.client.isOpen()).isTrue(); // the request was whole: the connection stays
      JsonNode line = h.onlyLine();
      assertThat(line.get("status").asInt()).isEqualTo(502);
      assertThat(line.get("server").asText()).isEqualTo("s1");
      assertThat(line.get("note").asText())
          .isEqualTo("backend connection failed: Connection reset by peer before responding");
      assertThat(h.recorded("s1")).isEqualTo(1);
      assertThat(h.inFlight("s1")).isZero();
    }
  }

  @Test
  void aBackendResetBeforeTheHeadOfAnIdempotentRequestIsRetriedOnTheOtherServer() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.send(get("/cart"), DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      EmbeddedChannel s1 = h.backends.last();
      requests(s1);
      s1.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

      EmbeddedChannel s2 = h.backends.last();
      assertThat(s2).isNotSameAs(s1);
      assertThat(requests(s2)).hasSize(2);
      respond(s2, 200, "ok");

      assertThat(h.statuses()).containsExactly(200);
      JsonNode line = h.onlyLine();
      assertThat(line.get("server").asText()).isEqualTo("s2");
      assertThat(line.get("note").asText()).endsWith("; retried on s2");
      assertThat(h.recorded("s1"))
          .isZero(); // the exchange is one, recorded on the server that served it
      assertThat(h.recorded("s2")).isEqualTo(1);
      assertThat(h.inFlight("s1") + h.inFlight("s2")).isZero();
    }
  }

  @Test
  void aBackendResetAfterTheHeadClosesTheClientConnection() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.send(get("/big"), DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      EmbeddedChannel s1 = h.backends.last();
      requests(s1);
      s1.writeInbound(head(200, 10), chunk("01234"));
      assertThat(h.statuses()).containsExactly(200);

      s1.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

      assertThat(h.client.isOpen()).isFalse();
      assertThat(h.backends.opened()).hasSize(1); // a response under way is never retried
      JsonNode line = h.onlyLine();
      assertThat(line.get("status").asInt()).isEqualTo(200);
      assertThat(line.get("bytes").asInt()).isEqualTo(5);
      assertThat(line.get("note").asText())
          .isEqualTo("backend connection failed: Connection reset by peer during the response");
      assertThat(h.recorded("s1")).isEqualTo(1);
      assertThat(h.inFlight("s1")).isZero();
    }
  }

  @Test
  void anIncompleteHeadTimesOutWith408() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.send(text("GET /slow HT")); // the framing layer would hold these bytes; the timer saw them
      h.advance(Duration.ofSeconds(9));
      assertThat(h.received()).isEmpty();

      h.advance(Duration.ofSeconds(2));

      assertThat(h.statuses()).containsExactly(408);
      assertThat(h.client.isOpen()).isFalse();
      JsonNode line = h.onlyLine();
      assertThat(line.get("status").asInt()).isEqualTo(408);
      assertThat(line.get("note").asText()).isEqualTo("request head timeout");
      assertThat(h.backends.opened()).isEmpty();
    }
  }

  @Test
  void anIdleKeptAliveConnectionClosesSilently() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.send(get("/a"), DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      respond(h.backends.last(), 200, "a");
      assertThat(h.statuses()).containsExactly(200);

      h.advance(ExchangeHarness.TIMEOUTS.clientIdle().plusSeconds(1));

      assertThat(h.client.isOpen()).isFalse();
      assertThat(h.received()).isEmpty();
      assertThat(h.logLines()).hasSize(1); // the exchange, nothing for the idle close
    }
  }

  @Test
  void aConnectTimeoutIsRetriedOnceOnTheOtherServerThenAnswered502() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.backends.holdConnects();
      h.send(post("/order", 3), last("abc"));
      h.backends.failConnect(new ConnectTimeoutException("connection timed out: /127.0.0.1:9001"));
      assertThat(h.received()).isEmpty(); // a connect failure is retried whatever the method
      h.backends.failConnect(new ConnectTimeoutException("connection timed out: /127.0.0.1:9002"));

      assertThat(h.statuses()).containsExactly(502);
      JsonNode line = h.onlyLine();
      assertThat(line.get("status").asInt()).isEqualTo(502);
      assertThat(line.get("server").asText()).isEqualTo("s2");
      assertThat(line.get("note").asText())
          .isEqualTo(
              "connect to s1 failed: connection timed out: /127.0.0.1:9001;"
                  + " retried on s2; connect to s2 failed: connection timed out: /127.0.0.1:9002");
      assertThat(h.recorded("s1")).isZero();
      assertThat(h.recorded("s2")).isEqualTo(1);
      assertThat(h.inFlight("s1") + h.inFlight("s2")).isZero();
    }
  }

  @Test
  void aServerSilentBeforeTheHeadIsAnswered504() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.send(get("/slow"), DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      EmbeddedChannel s1 = h.backends.last();
      requests(s1);
      h.advance(Duration.ofSeconds(59));
      assertThat(h.received()).isEmpty();

      h.advance(Duration.ofSeconds(2));

      assertThat(h.statuses()).containsExactly(504);
      assertThat(s1.isOpen()).isFalse();
      assertThat(h.backends.opened()).hasSize(1); // a timeout is not retried
      JsonNode line = h.onlyLine();
      assertThat(line.get("status").asInt()).isEqualTo(504);
      assertThat(line.get("note").asText()).isEqualTo("server s1 did not respond in time");
      assertThat(h.recorded("s1")).isEqualTo(1);
      assertThat(h.inFlight("s1")).isZero();
    }
  }

  @Test
  void aServerSilentAfterTheHeadClosesTheClientConnection() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.send(get("/stream"), DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      EmbeddedChannel s1 = h.backends.last();
      requests(s1);
      s1.writeInbound(head(200, 100), chunk("part"));
      assertThat(h.statuses()).containsExactly(200);

      h.advance(Duration.ofSeconds(61));

      assertThat(h.client.isOpen()).isFalse();
      assertThat(s1.isOpen()).isFalse();
      JsonNode line = h.onlyLine();
      assertThat(line.get("status").asInt()).isEqualTo(200);
      assertThat(line.get("note").asText()).isEqualTo("backend stalled during the response");
      assertThat(h.recorded("s1")).isEqualTo(1);
    }
  }

  @Test
  void aRequestPipelinedBehindAFailureIsServedAfterTheErrorResponse() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.send(
          post("/order", 3), last("abc"), get("/next"), DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      EmbeddedChannel s1 = h.backends.last();
      requests(s1);
      s1.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
      assertThat(h.statuses()).containsExactly(502);

      EmbeddedChannel s2 = h.backends.last();
      assertThat(((HttpRequest) requests(s2).get(0)).uri()).isEqualTo("/next");
      respond(s2, 200, "next");

      assertThat(h.statuses()).containsExactly(200);
      assertThat(h.logLines())
          .extracting(l -> l.get("path").asText() + " " + l.get("status").asInt())
          .containsExactly("/order 502", "/next 200");
      assertThat(h.recorded("s1")).isEqualTo(1);
      assertThat(h.recorded("s2")).isEqualTo(1);
      assertThat(h.inFlight("s1") + h.inFlight("s2")).isZero();
    }
  }

  @Test
  void aRequestPipelinedBehindAFailureThatClosesTheConnectionIsReleasedUnserved() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.backends.holdConnects();
      HttpRequest order = post("/order", 3);
      order.headers().set(HttpHeaderNames.CONNECTION, "close");
      HttpContent pipelined = last("zz");
      h.send(order, last("abc"), post("/next", 2), pipelined);
      h.backends.failConnect(new ConnectTimeoutException("connection timed out"));
      h.backends.failConnect(new ConnectTimeoutException("connection timed out"));

      assertThat(h.statuses()).containsExactly(502);
      assertThat(h.client.isOpen()).isFalse();
      assertThat(pipelined.refCnt()).isZero(); // the request behind it is never served
      assertThat(h.onlyLine().get("path").asText()).isEqualTo("/order");
      assertThat(h.backends.opened()).hasSize(2);
    }
  }

  @Test
  void aFailureWhileTheBodyIsStillComingClosesTheConnectionAndReleasesWhatWaited() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.backends.holdConnects();
      HttpContent part = chunk("ab");
      h.send(post("/order", 10), part);
      h.backends.failConnect(new ConnectTimeoutException("connection timed out"));
      h.backends.failConnect(new ConnectTimeoutException("connection timed out"));
      assertThat(h.statuses()).containsExactly(502);
      assertThat(part.refCnt()).isZero();
      assertThat(h.client.isOpen()).isFalse(); // the rest of the body would be taken for a request
      assertThat(h.onlyLine().get("status").asInt()).isEqualTo(502);
    }
  }

  @Test
  void aRetryableStatusGoesToTheOtherServerAndTheFirstAnswerIsDropped() {
    try (ExchangeHarness h =
        new ExchangeHarness(dir, new RetriesConfig(1, Set.of(503), 64 * 1024, 0.2, 10))) {
      h.send(get("/cart"), DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      EmbeddedChannel s1 = h.backends.last();
      requests(s1);
      HttpContent dropped = last("busy");
      s1.writeInbound(head(503, 4), dropped);
      assertThat(dropped.refCnt()).isZero();
      assertThat(s1.isOpen()).isFalse(); // mid-body: not reusable

      respond(h.backends.last(), 200, "ok");

      assertThat(h.statuses()).containsExactly(200);
      JsonNode line = h.onlyLine();
      assertThat(line.get("note").asText()).isEqualTo("s1 answered 503; retried on s2");
      assertThat(h.recorded("s2")).isEqualTo(1);
      assertThat(h.inFlight("s1") + h.inFlight("s2")).isZero();
    }
  }

  @Test
  void aFramingViolationMidBodyAbandonsTheExchange() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      h.send(post("/upload", 10), chunk("abc"));
      EmbeddedChannel s1 = h.backends.last();
      requests(s1);

      h.client
          .pipeline()
          .fireUserEventTriggered(
              new FramingViolation(HttpResponseStatus.BAD_REQUEST, "bad chunk size"));
      assertThat(s1.isOpen()).isFalse();
      h.client.close(); // as the gate does after its answer: nothing more is logged

      JsonNode line = h.onlyLine();
      assertThat(line.get("status").asInt()).isEqualTo(400);
      assertThat(line.get("note").asText()).isEqualTo("bad chunk size");
      assertThat(h.recorded("s1")).isEqualTo(1);
      assertThat(h.inFlight("s1")).isZero();
    }
  }

  @Test
  void aConnectRequestIsAnswered405WithoutAServer() {
    try (ExchangeHarness h = new ExchangeHarness(dir)) {
      HttpRequest connect =
          new io.netty.handler.codec.http.DefaultHttpRequest(
              io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
              io.netty.handler.codec.http.HttpMethod.CONNECT,
              "shop.example:443");
      h.send(connect, DefaultLastHttpContent.EMPTY_LAST_CONTENT);

      assertThat(h.statuses()).containsExactly(405);
      assertThat(h.client.isOpen()).isFalse(); // answered before its end arrived
      JsonNode line = h.onlyLine();
      assertThat(line.get("pool").isNull()).isTrue();
      assertThat(h.backends.opened()).isEmpty();
    }
  }
}
