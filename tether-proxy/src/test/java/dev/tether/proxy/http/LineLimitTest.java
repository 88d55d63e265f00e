package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.http.FramingHarness.Request;
import dev.tether.testing.leak.LeakDetection;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The guard takes a line's bytes in runs (up to the next CR of a read) rather than one at a time;
 * these pin that a line exactly at its limit passes and one byte more is refused, with the same
 * reason, however the bytes are cut into reads, and that a bad byte just past the limit is refused
 * for what it is.
 */
@ExtendWith(LeakDetection.class)
class LineLimitTest {

  private static final FramingLimits LIMITS = new FramingLimits(64, 128, 10, 1024);

  /** The request line {@code GET /aaa… HTTP/1.1} of exactly {@code length} bytes. */
  private static String requestLine(int length) {
    return "GET /" + "a".repeat(length - "GET / HTTP/1.1".length()) + " HTTP/1.1";
  }

  /** A header section of {@code Host: a} and one field, {@code bytes} in all with their CRLFs. */
  private static String fields(int bytes) {
    String host = "Host: a\r\n";
    return host + "X: " + "v".repeat(bytes - host.length() - "X: \r\n".length()) + "\r\n";
  }

  /** {@code text} cut at random places into 1 to {@code pieces} reads. */
  private static List<String> cut(String text, SplittableRandom random, int pieces) {
    List<Integer> at = new ArrayList<>(List.of(0, text.length()));
    for (int i = 1; i < pieces; i++) {
      at.add(random.nextInt(text.length() + 1));
    }
    at.sort(null);
    List<String> reads = new ArrayList<>();
    for (int i = 1; i < at.size(); i++) {
      reads.add(text.substring(at.get(i - 1), at.get(i)));
    }
    return reads;
  }

  private static FramingHarness sendCut(String text, SplittableRandom random) {
    FramingHarness harness = new FramingHarness(LIMITS);
    for (String read : cut(text, random, 1 + random.nextInt(6))) {
      if (!harness.channel().isOpen()) {
        break;
      }
      harness.send(read);
    }
    return harness;
  }

  @Test
  void aRequestLineAtTheLimitPassesAndOneByteMoreIsRefusedHoweverItIsCut() {
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 200; round++) {
      try (FramingHarness harness =
          sendCut(requestLine(64) + "\r\nHost: a\r\n\r\n", random.split())) {
        assertThat(harness.violations()).as("round %d", round).isEmpty();
        assertThat(harness.forwarded()).first().isInstanceOf(Request.class);
      }
      try (FramingHarness harness =
          sendCut(requestLine(65) + "\r\nHost: a\r\n\r\n", random.split())) {
        harness.assertRejected(414);
        assertThat(harness.violations().getFirst().reason())
            .isEqualTo("request line longer than 64 bytes");
      }
    }
  }

  @Test
  void aHeaderSectionAtTheLimitPassesAndOneByteMoreIsRefusedHoweverItIsCut() {
    SplittableRandom random = new SplittableRandom(11);
    for (int round = 0; round < 200; round++) {
      try (FramingHarness harness =
          sendCut("GET / HTTP/1.1\r\n" + fields(128) + "\r\n", random.split())) {
        assertThat(harness.violations()).as("round %d", round).isEmpty();
        assertThat(harness.forwarded()).first().isInstanceOf(Request.class);
      }
      try (FramingHarness harness =
          sendCut("GET / HTTP/1.1\r\n" + fields(129) + "\r\n", random.split())) {
        harness.assertRejected(431);
        assertThat(harness.violations().getFirst().reason())
            .isEqualTo("header section larger than 128 bytes");
      }
    }
  }

  @Test
  void aBadByteJustPastTheLimitIsRefusedForWhatItIs() {
    try (FramingHarness harness = new FramingHarness(LIMITS)) {
      harness.send(requestLine(64) + "\u0001 \r\nHost: a\r\n\r\n");
      harness.assertRejected(400);
      assertThat(harness.violations().getFirst().reason())
          .isEqualTo("invalid character 0x01 in the HTTP version");
    }
    try (FramingHarness harness = new FramingHarness(LIMITS)) {
      String line = "GET / HTTP/1.1\r\n" + fields(128);
      harness.send(line.substring(0, line.length() - 2) + "\n\r\n\r\n");
      harness.assertRejected(400);
      assertThat(harness.violations().getFirst().reason())
          .isEqualTo("bare LF line ending in the header section; lines must end with CRLF");
    }
  }
}
