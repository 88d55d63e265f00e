package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link EmbeddedChannel} with the framing layer installed and a capturing handler after it that
 * stands for the proxy (and so for the backend): it records what it receives as text and releases
 * it. Inbound bytes are allocated from the pooled allocator so that paranoid leak detection tracks
 * them.
 */
final class FramingHarness implements AutoCloseable {

  /** What the capturing handler received, in order. */
  sealed interface Received permits Request, Content, Event {}

  /** A request head. */
  record Request(HttpRequest request) implements Received {}

  /** A content piece; {@code last} for {@link LastHttpContent}. */
  record Content(String text, boolean last, List<String> trailers) implements Received {}

  /** A user event. */
  record Event(Object event) implements Received {}

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final List<Received> received = new ArrayList<>();
  private final StringBuilder output = new StringBuilder();

  FramingHarness(FramingLimits limits) {
    HttpFraming.install(channel.pipeline(), limits);
    channel
        .pipeline()
        .addLast(
            "capture",
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                  record(msg);
                } finally {
                  ReferenceCountUtil.release(msg);
                }
              }

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                received.add(new Event(evt));
              }
            });
  }

  FramingHarness() {
    this(FramingLimits.DEFAULTS);
  }

  private void record(Object msg) {
    if (msg instanceof HttpRequest request) {
      received.add(new Request(request));
    }
    if (msg instanceof HttpContent content) {
      List<String> trailers = new ArrayList<>();
      if (content instanceof LastHttpContent last) {
        last.trailingHeaders().forEach(e -> trailers.add(e.getKey() + ": " + e.getValue()));
      }
      received.add(
          new Content(
              content.content().toString(StandardCharsets.ISO_8859_1),
              msg instanceof LastHttpContent,
              trailers));
    }
    if (!(msg instanceof HttpObject)) {
      throw new AssertionError("unexpected message after the gate: " + msg.getClass());
    }
  }

  /** Writes bytes (ISO-8859-1: one char per byte) as one read, if the channel is still open. */
  FramingHarness send(String bytes) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length());
    buf.writeCharSequence(bytes, StandardCharsets.ISO_8859_1);
    if (!channel.isOpen()) {
      buf.release();
      throw new AssertionError("channel already closed");
    }
    channel.writeInbound(buf);
    channel.runPendingTasks();
    return this;
  }

  EmbeddedChannel channel() {
    return channel;
  }

  List<Received> received() {
    return received;
  }

  /** Requests and content pieces received, without events. */
  List<Received> forwarded() {
    return received.stream().filter(r -> !(r instanceof Event)).toList();
  }

  List<FramingViolation> violations() {
    return received.stream()
        .filter(r -> r instanceof Event e && e.event() instanceof FramingViolation)
        .map(r -> (FramingViolation) ((Event) r).event())
        .toList();
  }

  /** Everything written to the client so far, as ISO-8859-1 text. */
  String output() {
    for (Object out; (out = channel.readOutbound()) != null; ) {
      try {
        if (out instanceof ByteBuf buf) {
          output.append(buf.toString(StandardCharsets.ISO_8859_1));
        } else {
          throw new AssertionError("unexpected outbound message " + out.getClass());
        }
      } finally {
        ReferenceCountUtil.release(out);
      }
    }
    return output.toString();
  }

  @Override
  public void close() {
    output();
    channel.finishAndReleaseAll();
  }

  /**
   * Asserts the connection was refused with {@code status}: an error response with {@code
   * Connection: close} and a text/plain one-line body, one {@link FramingViolation} event with that
   * status, the channel closed, and nothing forwarded.
   */
  void assertRejected(int status) {
    assertErrorResponse(status);
    assertThat(forwarded()).as("forwarded to the proxy").isEmpty();
  }

  /**
   * Like {@link #assertRejected(int)}, for input sent in pieces: the violation may be found after
   * the bad request's head and some body pieces were forwarded, but its end never is, and nothing
   * is forwarded after the violation event.
   *
   * @param completeBefore how many complete valid requests precede the bad one
   */
  void assertRejectedInPieces(int status, int completeBefore) {
    assertErrorResponse(status);
    int event = received.indexOf(new Event(violations().getFirst()));
    assertThat(received.subList(event + 1, received.size()))
        .as("received after the violation")
        .isEmpty();
    long ends = received.stream().filter(r -> r instanceof Content c && c.last()).count();
    assertThat(ends).as("complete requests forwarded").isEqualTo(completeBefore);
  }

  private void assertErrorResponse(int status) {
    String out = output();
    assertThat(violations()).as("violation events").hasSize(1);
    FramingViolation violation = violations().getFirst();
    assertThat(violation.status().code()).as("status of " + violation).isEqualTo(status);
    assertThat(out)
        .startsWith("HTTP/1.1 " + violation.status() + "\r\n")
        .containsIgnoringCase("\r\nconnection: close\r\n")
        .containsIgnoringCase("\r\ncontent-type: text/plain")
        .endsWith("\r\n\r\n" + violation.message() + "\n");
    assertThat(channel.isOpen()).as("channel open").isFalse();
  }
}
