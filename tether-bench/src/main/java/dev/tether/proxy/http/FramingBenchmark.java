package dev.tether.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What one request costs the frontend's framing layer: a browser-like GET (nine header lines, an
 * affinity cookie) arrives in a pooled direct buffer, as from the socket, and goes through what the
 * listener installs (raw-byte guard, Netty's decoder, gate) to the decoded request and its end;
 * then its answer (a head of three header lines and a 14-byte body) is encoded on the way out. The
 * figure moves with how Netty reaches direct memory: on Java 24 and later Netty leaves {@code
 * sun.misc.Unsafe} off unless the JVM allows it ({@code --sun-misc-unsafe-memory-access=allow},
 * which the {@code tether} launcher passes), and every byte read then goes through a bounds- and
 * session-checked {@code ByteBuffer}. Run it both ways:
 *
 * <pre>
 * ./mvnw -q -B -pl tether-bench -am package -DskipTests
 * java -jar tether-bench/target/benchmarks.jar FramingBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * java -jar tether-bench/target/benchmarks.jar FramingBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc \
 *     -jvmArgsAppend --sun-misc-unsafe-memory-access=allow
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FramingBenchmark {

  private static final byte[] REQUEST =
      ("GET /cart?item=1234 HTTP/1.1\r\n"
              + "Host: shop.example.com\r\n"
              + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\r\n"
              + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
              + "Accept-Language: en-US,en;q=0.5\r\n"
              + "Accept-Encoding: gzip, deflate, br\r\n"
              + "Connection: keep-alive\r\n"
              + "Cookie: TETHER=ARa8vlIAaxaPc2sWj3MCczFuYj_kp6De16eci0ysq1lw; theme=dark\r\n"
              + "Upgrade-Insecure-Requests: 1\r\n"
              + "Sec-Fetch-Mode: navigate\r\n"
              + "\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  private static final byte[] BODY = "hello from s1\n".getBytes(StandardCharsets.US_ASCII);

  private EmbeddedChannel channel;
  private ByteBufAllocator alloc;

  @Setup
  public void setUp() {
    channel = new EmbeddedChannel();
    HttpFraming.install(channel.pipeline(), FramingLimits.DEFAULTS);
    alloc = channel.alloc();
  }

  @TearDown
  public void tearDown() {
    channel.finishAndReleaseAll();
  }

  /** One request read and decoded, and its answer encoded; every buffer is released. */
  @Benchmark
  public void exchange(Blackhole bh) {
    channel.writeInbound(alloc.directBuffer(REQUEST.length).writeBytes(REQUEST));
    Object m;
    while ((m = channel.readInbound()) != null) {
      bh.consume(m);
      ReferenceCountUtil.release(m);
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .add(HttpHeaderNames.CONTENT_LENGTH, BODY.length)
        .add("x-server", "s1");
    channel.write(head);
    channel.writeAndFlush(
        new DefaultLastHttpContent(alloc.directBuffer(BODY.length).writeBytes(BODY)));
    while ((m = channel.readOutbound()) != null) {
      bh.consume(m);
      ReferenceCountUtil.release(m);
    }
  }
}
