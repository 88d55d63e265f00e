package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.testing.leak.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzes the request framing layer (the {@link RequestFramingGuard} with its {@link
 * RequestScanner}, Netty's codec and the {@link FramingGate}, as {@link HttpFraming#install} puts
 * them together) with Jazzer, on an {@link EmbeddedChannel}.
 *
 * <p>Input: byte 0 picks the limits ({@link #LIMITS}), byte 1 how the rest is split into reads, the
 * rest is what the client sends. It is delivered twice, in one read and in the split reads, and
 * each delivery ends with the client closing. Invariants:
 *
 * <ul>
 *   <li>nothing throws out of the pipeline, and every buffer the client sent is released;
 *   <li>a refusal is a 4xx/5xx response with {@code Connection: close} and the one-line reason, one
 *       {@link FramingViolation} event, then a closed channel and nothing more forwarded; without a
 *       refusal nothing is written and the connection stays open;
 *   <li>the guard refuses first: Netty's decoder never fails on bytes the guard let through (a
 *       decoder failure would answer with a less exact reason, or too late);
 *   <li>how the bytes are split changes nothing: both deliveries are refused for the same reason or
 *       not at all, and forward the same requests;
 *   <li>the guard never forwards a request it refused: in one read, a refused input forwards
 *       nothing; in pieces, exactly what the pieces before the refused one forward on their own.
 * </ul>
 *
 * <p>Buffer leaks are checked exactly, per input: each connection allocates from an allocator of
 * its own, which must hold no bytes once the connection is gone; in a normal build Netty's paranoid
 * leak detection runs as well. Seeds in {@code RequestFramingFuzzTestInputs/requests/} are valid
 * requests and every case of the framing and smuggling tests. In a normal build this runs on them
 * only; {@code ./mvnw -Pfuzz} fuzzes it, without the paranoid detector (it records a stack trace at
 * every buffer access, which would measure the detector, not the parser).
 */
@ExtendWith(LeakDetection.class)
class RequestFramingFuzzTest {

  /**
   * The limits byte 0 picks from: the defaults, the configuration's minimums, tiny ones, odd ones.
   */
  static final List<FramingLimits> LIMITS =
      List.of(
          FramingLimits.DEFAULTS,
          new FramingLimits(256, 1024, 8, 1024),
          new FramingLimits(16, 64, 2, 1),
          new FramingLimits(5000, 300, 100, 7));

  private static final Pattern STATUS_LINE =
      Pattern.compile("HTTP/1\\.1 ([45]\\d\\d) [^\r\n]*\r\n");

  /** Reasons the gate gives for a failure of Netty's decoder rather than the guard's. */
  private static final List<String> DECODER_REASONS =
      List.of("malformed request: ", "request line too long: ", "header section too large: ");

  private static final String CLOSED_EARLY = "connection closed before the request was complete";

  @FuzzTest
  void requests(byte[] input) {
    FramingLimits limits = LIMITS.get(input.length > 0 ? (input[0] & 0xFF) % LIMITS.size() : 0);
    int splitSeed = input.length > 1 ? input[1] & 0xFF : 0;
    byte[] bytes = input.length > 2 ? Arrays.copyOfRange(input, 2, input.length) : new byte[0];

    Delivery whole = Delivery.of(limits, List.of(bytes));
    Delivery pieces = Delivery.of(limits, split(bytes, splitSeed));

    assertThat(pieces.reason()).as("reason in pieces vs in one read").isEqualTo(whole.reason());
    if (whole.refused()) {
      assertThat(whole.forwarded).as("forwarded from a refused read").isEmpty();
      Delivery before =
          Delivery.of(limits, List.of(concat(pieces.reads.subList(0, pieces.refusedAtRead))));
      assertThat(before.refused()).as("the reads before the refused one, alone").isFalse();
      assertThat(pieces.forwarded).as("forwarded in pieces").isEqualTo(before.forwarded);
    } else {
      assertThat(pieces.forwarded)
          .as("forwarded in pieces vs in one read")
          .isEqualTo(whole.forwarded);
    }
  }

  /** Splits {@code bytes} into reads: byte by byte, or random sizes up to 8, 64 or 512. */
  static List<byte[]> split(byte[] bytes, int seed) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + bytes.length);
    int mode = seed % 4;
    int max = mode == 0 && bytes.length > 512 ? 8 : mode == 0 ? 1 : 1 << (mode * 3);
    List<byte[]> reads = new ArrayList<>();
    for (int at = 0; at < bytes.length; ) {
      int n = Math.min(bytes.length - at, 1 + random.nextInt(max));
      reads.add(Arrays.copyOfRange(bytes, at, at + n));
      at += n;
    }
    return reads;
  }

  private static byte[] concat(List<byte[]> reads) {
    byte[] out = new byte[reads.stream().mapToInt(b -> b.length).sum()];
    int at = 0;
    for (byte[] b : reads) {
      System.arraycopy(b, 0, out, at, b.length);
      at += b.length;
    }
    return out;
  }

  /**
   * One connection: the framing layer and a handler standing for the proxy that records what it is
   * given, fed {@code reads} until it closes, then closed by the client.
   */
  static final class Delivery extends ChannelInboundHandlerAdapter {

    final List<byte[]> reads;

    /** Requests forwarded, as text: head, body so far, and trailers once complete. */
    final List<String> forwarded = new ArrayList<>();

    private final List<FramingViolation> violations = new ArrayList<>();
    private StringBuilder current;
    private boolean afterViolation;
    private boolean readAfterViolation;
    int refusedAtRead = -1;

    private Delivery(List<byte[]> reads) {
      this.reads = reads;
    }

    static Delivery of(FramingLimits limits, List<byte[]> reads) {
      Delivery d = new Delivery(reads);
      d.run(limits);
      return d;
    }

    boolean refused() {
      return refusedAtRead >= 0;
    }

    /** The refusal's status and reason before the client closed, or null. */
    String reason() {
      return refused() ? violations.getFirst().message() : null;
    }

    private void run(FramingLimits limits) {
      // every buffer of this connection comes from an allocator of its own that counts them
      UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
      EmbeddedChannel channel = new EmbeddedChannel();
      channel.config().setAllocator(alloc);
      HttpFraming.install(channel.pipeline(), limits);
      channel.pipeline().addLast("proxy", this);
      List<ByteBuf> sent = new ArrayList<>();
      StringBuilder out = new StringBuilder();
      try {
        for (int i = 0; i < reads.size() && channel.isOpen(); i++) {
          ByteBuf buf = alloc.heapBuffer(reads.get(i).length);
          buf.writeBytes(reads.get(i));
          sent.add(buf.retain()); // one reference is ours, to check the pipeline released its own
          channel.writeInbound(buf);
          channel.runPendingTasks();
          if (refusedAtRead < 0 && !violations.isEmpty()) {
            refusedAtRead = i;
          }
          drain(channel, out);
        }
        if (refused()) {
          assertRefusal(channel, out.toString());
        } else {
          assertThat(out).as("written without a refusal").isEmpty();
          assertThat(channel.isOpen()).as("open without a refusal").isTrue();
        }
        int before = violations.size();
        channel.finish(); // the client closes
        drain(channel, out);
        if (!refused() && violations.size() > before) {
          assertThat(violations).hasSize(1);
          assertThat(violations.getFirst().reason()).isEqualTo(CLOSED_EARLY);
        }
        assertThat(violations).as("violation events").hasSizeLessThanOrEqualTo(1);
        assertThat(readAfterViolation).as("a message forwarded after the violation").isFalse();
        for (ByteBuf buf : sent) {
          assertThat(buf.refCnt()).as("references the pipeline kept to a sent buffer").isEqualTo(1);
        }
      } finally {
        sent.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
      }
      assertThat(alloc.metric().usedHeapMemory() + alloc.metric().usedDirectMemory())
          .as("bytes of buffers the connection left unreleased")
          .isZero();
    }

    private void assertRefusal(EmbeddedChannel channel, String out) {
      FramingViolation violation = violations.getFirst();
      assertThat(DECODER_REASONS)
          .as("Netty's decoder refused what the guard let through: %s", violation)
          .noneMatch(violation.reason()::startsWith);
      Matcher status = STATUS_LINE.matcher(out);
      assertThat(status.lookingAt()).as("status line of %s", out).isTrue();
      assertThat(Integer.parseInt(status.group(1))).isEqualTo(violation.status().code());
      int end = out.indexOf("\r\n\r\n");
      assertThat(end).as("end of the response head in %s", out).isPositive();
      assertThat(out.substring(0, end + 2).toLowerCase(Locale.ROOT))
          .contains("\r\nconnection: close\r\n");
      assertThat(out.substring(end + 4)).isEqualTo(violation.message() + "\n");
      assertThat(channel.isOpen()).as("open after a refusal").isFalse();
    }

    private static void drain(EmbeddedChannel channel, StringBuilder out) {
      for (Object msg; (msg = channel.readOutbound()) != null; ) {
        try {
          out.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
        } finally {
          ReferenceCountUtil.release(msg);
        }
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        readAfterViolation |= afterViolation;
        if (msg instanceof HttpRequest request) {
          current =
              new StringBuilder(
                  request.method() + " " + request.uri() + " " + request.protocolVersion());
          request
              .headers()
              .forEach(
                  h -> current.append('\n').append(h.getKey()).append(": ").append(h.getValue()));
          current.append("\n\n");
          forwarded.add(current.toString());
        }
        if (msg instanceof HttpContent content) {
          current.append(content.content().toString(StandardCharsets.ISO_8859_1));
          if (content instanceof LastHttpContent last) {
            current.append("\n\n[end]");
            last.trailingHeaders()
                .forEach(
                    h -> current.append('\n').append(h.getKey()).append(": ").append(h.getValue()));
          }
          forwarded.set(forwarded.size() - 1, current.toString());
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof FramingViolation violation) {
        violations.add(violation);
        afterViolation = true;
      }
    }
  }
}
