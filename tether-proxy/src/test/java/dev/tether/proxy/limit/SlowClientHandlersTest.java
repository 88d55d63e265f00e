package dev.tether.proxy.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The slow-body and slow-read checks on an embedded channel with a frozen, advanced clock. */
class SlowClientHandlersTest {

  private static final long WINDOW = TimeUnit.SECONDS.toNanos(10);
  private final LimitCounters counters = new LimitCounters();
  private EmbeddedChannel ch;

  @AfterEach
  void drain() {
    if (ch != null) {
      ch.finishAndReleaseAll();
    }
  }

  private EmbeddedChannel bodyChannel(int minRate) {
    ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.config().setAutoRead(false);
    ch.pipeline()
        .addLast(
            new BodyRateHandler(
                WINDOW, minRate, counters, new ListenerChecks(new FramingLimitCounter(counters))));
    return ch;
  }

  private static HttpRequest post(long length) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    return r;
  }

  private void advance(long seconds) {
    ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
  }

  private void inbound(Object msg) {
    ch.writeInbound(msg);
    ReferenceCountUtil.release(ch.readInbound());
  }

  @Test
  void aBodyThatStallsWhileAskedForIsCutAfterOneWindow() {
    bodyChannel(0);
    inbound(post(1000));
    ch.read();
    advance(9);
    assertThat(ch.isActive()).isTrue();
    advance(1);
    assertThat(ch.isActive()).isFalse();
    assertThat(counters.count(LimitCounters.Reason.SLOW_BODY)).isEqualTo(1);
  }

  @Test
  void aTrickleBelowTheMinimumRateIsCut() {
    bodyChannel(100);
    inbound(post(100_000));
    for (int i = 0; i < 10; i++) {
      ch.read();
      ch.advanceTimeBy(1, TimeUnit.SECONDS);
      inbound(
          new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[50]))); // 50 B/s, half the minimum
    }
    ch.read();
    ch.runScheduledPendingTasks();
    assertThat(ch.isActive()).isFalse();
    assertThat(counters.count(LimitCounters.Reason.SLOW_BODY)).isEqualTo(1);
  }

  @Test
  void aBodyAtTheMinimumRateKeepsItsConnection() {
    bodyChannel(100);
    inbound(post(100_000));
    for (int i = 0; i < 35; i++) {
      ch.read();
      advance(1);
      inbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[150])));
    }
    assertThat(ch.isActive()).isTrue();
    inbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[10])));
    advance(60); // no body in progress: nothing owed
    assertThat(ch.isActive()).isTrue();
    assertThat(counters.count(LimitCounters.Reason.SLOW_BODY)).isZero();
  }

  @Test
  void timeTheBalancerHoldsTheClientBackIsNotCountedAgainstIt() {
    bodyChannel(100);
    inbound(post(1000));
    // the backend is not writable: the frontend does not ask for more body
    advance(60);
    assertThat(ch.isActive()).isTrue();
    ch.read();
    advance(10);
    assertThat(ch.isActive()).isFalse();
  }

  private EmbeddedChannel responseChannel(int minRate) {
    ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 4096));
    ch.pipeline().addLast(new ResponseRateHandler(WINDOW, minRate, counters));
    return ch;
  }

  @Test
  void aClientThatReadsNothingWhileItsBufferIsFullIsCutWithinTwoWindows() {
    responseChannel(0);
    ch.write(Unpooled.wrappedBuffer(new byte[8192])); // not flushed: the "socket" takes nothing
    ch.runPendingTasks();
    assertThat(ch.isWritable()).isFalse();
    advance(10); // the first check marks where the client stands
    advance(9);
    assertThat(ch.isActive()).isTrue();
    advance(1);
    assertThat(ch.isActive()).isFalse();
    assertThat(counters.count(LimitCounters.Reason.SLOW_READ)).isEqualTo(1);
  }

  @Test
  void aClientThatStopsReadingBelowTheHighWaterMarkIsCutToo() {
    responseChannel(0);
    ch.write(Unpooled.wrappedBuffer(new byte[100])); // the connection stays writable
    ch.runPendingTasks();
    assertThat(ch.isWritable()).isTrue();
    advance(10);
    advance(10);
    assertThat(ch.isActive()).isFalse();
    assertThat(counters.count(LimitCounters.Reason.SLOW_READ)).isEqualTo(1);
  }

  @Test
  void aConnectionWithNothingPendingIsNeverCut() {
    responseChannel(1000);
    ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[100]));
    ReferenceCountUtil.release(ch.readOutbound());
    advance(60);
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void aClientThatDrainsItsBufferKeepsItsConnection() {
    responseChannel(100);
    for (int i = 0; i < 5; i++) {
      ch.write(Unpooled.wrappedBuffer(new byte[8192]));
      ch.runPendingTasks();
      assertThat(ch.isWritable()).isFalse();
      advance(5);
      ch.flush(); // 8 KiB in 5 s: above 100 B/s
      ch.runPendingTasks();
      assertThat(ch.isWritable()).isTrue();
      for (Object m; (m = ch.readOutbound()) != null; ) {
        ReferenceCountUtil.release(m);
      }
    }
    advance(60);
    assertThat(ch.isActive()).isTrue();
    assertThat(counters.count(LimitCounters.Reason.SLOW_READ)).isZero();
  }
}
