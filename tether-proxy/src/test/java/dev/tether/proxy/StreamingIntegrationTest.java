package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.leak.LeakDetection;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 100 MB bodies through the proxy, both ways, while the proxy's buffer memory is sampled: a proxy
 * that aggregated a body would hold ~100 MB at once; one that streams holds a few write-buffer
 * high-water marks (64 KiB each) at most.
 */
@ExtendWith(LeakDetection.class)
class StreamingIntegrationTest {

  private static final long SIZE = 100L * 1024 * 1024;

  /**
   * Generous bound for buffers in use at once while streaming (water marks + decoder chunks + pool
   * overhead).
   */
  private static final long MAX_BUFFERED = 32L * 1024 * 1024;

  @Test
  void streamsA100MegabyteResponse() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1")) {
      MemoryWatch watch = MemoryWatch.start();
      HttpResponse<InputStream> r =
          f.client.send(
              HttpRequest.newBuilder(f.uri("/bytes?n=" + SIZE)).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      long n = count(r.body(), watch);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(n).isEqualTo(SIZE);
      assertThat(watch.peakBytes())
          .as("proxy buffer memory in use at once")
          .isLessThan(MAX_BUFFERED);
      assertThat(watch.peakHeapGrowth())
          .as("heap growth during the transfer")
          .isLessThan(64L * 1024 * 1024);
    }
  }

  @Test
  void streamsA100MegabyteChunkedUploadAndItsEcho() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1")) {
      MemoryWatch watch = MemoryWatch.start();
      long echoed = upload(f, SIZE, true, watch);
      assertThat(echoed).isEqualTo(SIZE);
      assertThat(f.backend("s1").bodyBytes()).isEqualTo(SIZE);
      assertThat(f.backend("s1").received().get(0).headers())
          .containsEntry("transfer-encoding", "chunked");
      assertThat(watch.peakBytes())
          .as("proxy buffer memory in use at once")
          .isLessThan(MAX_BUFFERED);
    }
  }

  @Test
  void streamsA100MegabyteContentLengthUploadAndItsEcho() throws Exception {
    try (ProxyFixture f = ProxyFixture.of("s1")) {
      MemoryWatch watch = MemoryWatch.start();
      long echoed = upload(f, SIZE, false, watch);
      assertThat(echoed).isEqualTo(SIZE);
      assertThat(f.backend("s1").received().get(0).headers())
          .containsEntry("content-length", String.valueOf(SIZE));
      assertThat(watch.peakBytes())
          .as("proxy buffer memory in use at once")
          .isLessThan(MAX_BUFFERED);
    }
  }

  /**
   * POSTs {@code size} bytes to {@code /echo} over a raw socket, writing on one thread while this
   * one reads the chunked echo as it arrives (an echo through any proxy deadlocks when the client
   * only reads after it has sent everything), and returns the number of body bytes echoed.
   */
  private static long upload(ProxyFixture f, long size, boolean chunked, MemoryWatch watch)
      throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", f.proxy.port())) {
      s.setSoTimeout(60_000);
      var out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 * 1024);
      java.util.concurrent.CompletableFuture<Void> sent =
          java.util.concurrent.CompletableFuture.runAsync(
              () -> {
                try {
                  String head =
                      "POST /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                          + (chunked
                              ? "Transfer-Encoding: chunked\r\n\r\n"
                              : "Content-Length: " + size + "\r\n\r\n");
                  out.write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                  byte[] buf = new byte[32 * 1024];
                  PatternStream body = new PatternStream(size);
                  int n;
                  while ((n = body.read(buf, 0, buf.length)) > 0) {
                    if (chunked) {
                      out.write(
                          (Integer.toHexString(n) + "\r\n")
                              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    }
                    out.write(buf, 0, n);
                    if (chunked) {
                      out.write(CRLF);
                    }
                  }
                  if (chunked) {
                    out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                  }
                  out.flush();
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      InputStream in = new java.io.BufferedInputStream(s.getInputStream(), 64 * 1024);
      String status = ProxyIntegrationTest.RawHttp.readLine(in);
      assertThat(status).startsWith("HTTP/1.1 200");
      boolean chunkedResponse = false;
      String line;
      while (!(line = ProxyIntegrationTest.RawHttp.readLine(in)).isEmpty()) {
        chunkedResponse |= line.equalsIgnoreCase("transfer-encoding: chunked");
      }
      assertThat(chunkedResponse).as("echo response is chunked").isTrue();
      long total = 0;
      int chunks = 0;
      int size0;
      while ((size0 = Integer.parseInt(ProxyIntegrationTest.RawHttp.readLine(in).trim(), 16)) > 0) {
        in.skipNBytes(size0);
        total += size0;
        ProxyIntegrationTest.RawHttp.readLine(in);
        if ((++chunks & 63) == 0) {
          watch.sample();
        }
      }
      sent.get(60, java.util.concurrent.TimeUnit.SECONDS);
      return total;
    }
  }

  private static final byte[] CRLF = {'\r', '\n'};

  private static long count(InputStream in, MemoryWatch watch) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    int r;
    int reads = 0;
    try (in) {
      while ((r = in.read(buf)) > 0) {
        n += r;
        if ((++reads & 63) == 0) {
          watch.sample();
        }
      }
    }
    return n;
  }

  /** An input stream of {@code size} bytes of a repeating pattern, made on the fly. */
  static final class PatternStream extends InputStream {
    private long left;

    PatternStream(long size) {
      this.left = size;
    }

    @Override
    public int read() {
      return left-- > 0 ? 'a' + (int) (left % 26) : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) ('a' + (int) ((left - i) % 26));
      }
      left -= n;
      return n;
    }
  }

  /** Samples the default allocator's used memory and the heap while a transfer runs. */
  static final class MemoryWatch {
    private final long baseBytes;
    private final long baseHeap;
    private long peakBytes;
    private long peakHeap;

    private MemoryWatch() {
      this.baseBytes = allocatorBytes();
      this.baseHeap = heapUsed();
    }

    static MemoryWatch start() {
      return new MemoryWatch();
    }

    void sample() {
      peakBytes = Math.max(peakBytes, allocatorBytes() - baseBytes);
      peakHeap = Math.max(peakHeap, heapUsed() - baseHeap);
    }

    long peakBytes() {
      return peakBytes;
    }

    long peakHeapGrowth() {
      System.gc();
      sample();
      return heapUsed() - baseHeap;
    }

    private static long allocatorBytes() {
      var m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
      return m.usedDirectMemory() + m.usedHeapMemory();
    }

    private static long heapUsed() {
      Runtime rt = Runtime.getRuntime();
      return rt.totalMemory() - rt.freeMemory();
    }
  }
}
