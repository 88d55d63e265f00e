package dev.tether.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP/2 flow control towards the client, over a raw h2c socket: a stream whose client grants no
 * more window waits for it without holding up the connection's other streams, and finishes whole
 * once the window comes.
 */
@ExtendWith(LeakDetection.class)
class Http2FlowControlIntegrationTest {

  private static final int STREAM_WINDOW = 1024;
  private static final int BIG = 200_000;

  private TestBackend backend;
  private ControlPlane tether;
  private int port;

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("s1");
    String yaml =
        """
        listen: 127.0.0.1:0
        workers: 1
        http2: { cleartext: true }
        pools:
          web:
            servers:
              - { name: s1, address: 127.0.0.1:%d }
        """
            .formatted(backend.port());
    tether = ControlPlane.start(ConfigLoader.parse(yaml, "h2c.yaml"));
    port = tether.proxy().port();
  }

  @AfterEach
  void stop() {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void aStreamWithoutWindowWaitsAndTheOtherStreamsOfItsConnectionAreAnswered() throws Exception {
    try (RawH2 c = RawH2.connect(port)) {
      c.settings(4, STREAM_WINDOW); // SETTINGS_INITIAL_WINDOW_SIZE: each stream may get 1 KiB
      c.windowUpdate(0, 16 << 20); // the connection's window is no limit
      c.headers(1, RawH2.END_STREAM | RawH2.END_HEADERS, RawH2.getBlock("/bytes?n=" + BIG));
      long[] received = new long[4]; // DATA bytes per stream id
      // stream 1 fills its window and must then stop
      while (received[1] < STREAM_WINDOW) {
        take(c, received);
      }
      c.headers(3, RawH2.END_STREAM | RawH2.END_HEADERS, RawH2.getBlock("/"));
      boolean answered = false;
      while (!answered) {
        RawH2.Frame f = take(c, received);
        answered = f.stream() == 3 && f.endStream();
      }
      assertThat(received[3]).as("stream 3's body").isEqualTo("hello from s1\n".length());
      assertThat(received[1]).as("stream 1 beyond its window").isEqualTo(STREAM_WINDOW);

      c.windowUpdate(1, BIG);
      boolean ended = false;
      while (!ended) {
        RawH2.Frame f = take(c, received);
        ended = f.stream() == 1 && f.endStream();
      }
      assertThat(received[1]).as("stream 1's body, once its window came").isEqualTo(BIG);
    }
  }

  /**
   * The next frame; counts its DATA bytes per stream, acknowledges the balancer's SETTINGS, and
   * fails on a reset or GOAWAY.
   */
  private static RawH2.Frame take(RawH2 c, long[] received) throws Exception {
    RawH2.Frame f = c.next();
    switch (f.type()) {
      case RawH2.DATA -> received[f.stream()] += f.payload().length;
      case RawH2.SETTINGS -> {
        if ((f.flags() & 0x1) == 0) {
          c.frame(RawH2.SETTINGS, 0x1, 0, new byte[0]);
        }
      }
      case RawH2.RST_STREAM, RawH2.GOAWAY ->
          throw new AssertionError("frame type " + f.type() + " on stream " + f.stream());
      default -> {}
    }
    return f;
  }
}
