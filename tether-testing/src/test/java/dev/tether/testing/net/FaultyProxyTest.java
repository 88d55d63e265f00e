package dev.tether.testing.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy between a real client socket and a real echo server on loopback. */
class FaultyProxyTest {

  private ServerSocket echo;
  private FaultyProxy proxy;

  @BeforeEach
  void start() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (!echo.isClosed()) {
                try {
                  Socket s = echo.accept();
                  Thread.ofVirtual()
                      .start(
                          () -> {
                            try (s) {
                              s.getInputStream().transferTo(s.getOutputStream());
                            } catch (IOException ignored) {
                              // the client went away
                            }
                          });
                } catch (IOException e) {
                  return;
                }
              }
            });
    proxy = FaultyProxy.start("127.0.0.1", echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  private Socket client() throws IOException {
    Socket s = new Socket(proxy.host(), proxy.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    return read(s.getInputStream(), text.length());
  }

  private static String read(InputStream in, int n) throws IOException {
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }

  @Test
  void passesBytesBothWays() throws IOException {
    try (Socket s = client()) {
      assertThat(roundTrip(s, "hello")).isEqualTo("hello");
      await().atMost(Duration.ofSeconds(30)).until(() -> proxy.openConnections() == 1);
    }
  }

  @Test
  void delayHoldsRepliesAtLeastThatLongAndKeepsTheirOrder() throws IOException {
    try (Socket s = client()) {
      assertThat(roundTrip(s, "warm")).isEqualTo("warm");
      proxy.delay(Duration.ofMillis(400));
      long start = System.nanoTime();
      s.getOutputStream().write("a".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().write("b".getBytes(StandardCharsets.UTF_8));
      assertThat(read(s.getInputStream(), 2)).isEqualTo("ab");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(400));
      proxy.pass();
      assertThat(roundTrip(s, "c")).isEqualTo("c");
    }
  }

  @Test
  void blackholeHoldsEverythingUntilPassedAgain() throws IOException {
    try (Socket s = client()) {
      assertThat(roundTrip(s, "x")).isEqualTo("x");
      proxy.blackhole();
      s.setSoTimeout(300);
      s.getOutputStream().write("held".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      try (Socket late = new Socket(proxy.host(), proxy.port())) { // new connections are accepted
        late.setSoTimeout(300);
        late.getOutputStream().write('?');
        assertThatThrownBy(() -> late.getInputStream().read())
            .isInstanceOf(SocketTimeoutException.class);
      }
      proxy.pass();
      s.setSoTimeout(10_000);
      assertThat(read(s.getInputStream(), 4)).isEqualTo("held");
    }
  }

  @Test
  void cutAllResetsOpenConnectionsAndRefuseResetsNewOnes() throws IOException {
    try (Socket s = client()) {
      assertThat(roundTrip(s, "x")).isEqualTo("x");
      proxy.cutAll();
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 100; i++) { // the reset may need a write to surface
                  s.getOutputStream().write('y');
                  if (s.getInputStream().read() < 0) {
                    throw new IOException("end of stream");
                  }
                }
              })
          .isInstanceOf(IOException.class);
    }
    proxy.refuse();
    try (Socket s = client()) {
      assertThatThrownBy(
              () -> {
                s.getOutputStream().write('z');
                if (s.getInputStream().read() < 0) {
                  throw new IOException("end of stream");
                }
              })
          .isInstanceOf(IOException.class);
    }
    proxy.pass();
    try (Socket s = client()) {
      assertThat(roundTrip(s, "back")).isEqualTo("back");
    }
  }
}
