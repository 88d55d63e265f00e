package dev.tether.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.ProxySettings;
import dev.tether.proxy.TrustedProxies;
import dev.tether.proxy.analytics.Analytics;
import dev.tether.proxy.backend.EmbeddedBackends;
import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.config.RetriesConfig;
import dev.tether.proxy.config.Timeouts;
import dev.tether.proxy.config.Transport;
import dev.tether.proxy.retry.Retries;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.route.Upstream;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One client connection's frontend on an {@link EmbeddedChannel}, in front of two servers s1 and s2
 * whose connections are embedded channels too ({@link EmbeddedBackends}), all on one mock ticker;
 * with the real access log (a JSON file), the real pool meters and the real request timer. Request
 * and response objects go in and come out as Netty HTTP objects (no codec), so each test states the
 * exchange it drives object by object.
 */
final class ExchangeHarness implements AutoCloseable {

  static final Timeouts TIMEOUTS =
      new Timeouts(
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          Duration.ofSeconds(75),
          Duration.ofSeconds(60),
          Duration.ofHours(1),
          Duration.ofSeconds(30));

  final MockTicker ticker = Ticker.newMockTicker();
  final EmbeddedBackends backends = new EmbeddedBackends(ticker, TIMEOUTS.server().toNanos());
  final Analytics analytics = Analytics.manual(ticker::nanoTime);
  final Pool pool;
  final ProxyRuntime rt;
  final EmbeddedChannel client;
  private final Path log;
  private final ChannelGroup clients =
      new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
  private final List<Object> received = new ArrayList<>();
  private List<JsonNode> lines;

  ExchangeHarness(Path dir) {
    this(dir, RetriesConfig.DEFAULTS);
  }

  ExchangeHarness(Path dir, RetriesConfig retries) {
    this(dir, retries, p -> null);
  }

  /** A harness whose pool has the affinity policy {@code affinity} builds ({@code null}: none). */
  ExchangeHarness(Path dir, RetriesConfig retries, Function<Pool, AffinityPolicy> affinity) {
    log = dir.resolve("access.log");
    pool =
        new Pool(
            "web",
            List.of(new Server("s1", "127.0.0.1", 9001, 1), new Server("s2", "127.0.0.1", 9002, 1)),
            Balancers.find("round-robin").orElseThrow(),
            Map.of(),
            BalanceEnv.SYSTEM);
    analytics.bind(Map.of("web", pool), Map.of(), p -> null, Map.of());
    Upstream up =
        new Upstream(
            pool,
            Map.of(
                "s1",
                new InetSocketAddress("127.0.0.1", 9001),
                "s2",
                new InetSocketAddress("127.0.0.1", 9002)),
            ConnectionsConfig.DEFAULTS,
            affinity.apply(pool),
            false,
            analytics.traffic("web"),
            new Retries(retries, ticker::nanoTime),
            null);
    Router router = new Router(List.of(new Route(null, "/", "web")), Map.of("web", up));
    ProxySettings settings =
        new ProxySettings(
            new ProxySettings.Listen("127.0.0.1", 0, 1, Transport.AUTO),
            TIMEOUTS,
            Limits.DEFAULTS,
            TrustedProxies.NONE,
            new AccessLog(true, AccessLog.Format.JSON, log, 4096, Duration.ofHours(1)));
    rt = new ProxyRuntime(settings, backends, router, clients, null, ticker);
    client =
        EmbeddedChannel.builder()
            .ticker(ticker)
            .handlers(
                new RequestTimer(TIMEOUTS.clientRequest().toNanos(), ticker),
                new FrontendHandler(rt, false))
            .build();
  }

  // ---- the client ----------------------------------------------------------------------------

  static HttpRequest get(String path) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    r.headers().set(HttpHeaderNames.HOST, "shop.example");
    return r;
  }

  static HttpRequest post(String path, int length) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path);
    r.headers().set(HttpHeaderNames.HOST, "shop.example");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    return r;
  }

  static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  /** The client sends {@code objects} in one read. */
  void send(Object... objects) {
    client.writeInbound(objects);
  }

  /**
   * What the client received since the last call, in order; buffers released, objects kept for
   * assertions.
   */
  List<Object> received() {
    Object o;
    List<Object> out = new ArrayList<>();
    while ((o = client.readOutbound()) != null) {
      out.add(o);
      received.add(o);
    }
    return out;
  }

  /** The statuses of the response heads the client received since the last {@link #received}. */
  List<Integer> statuses() {
    List<Integer> s = new ArrayList<>();
    for (Object o : received()) {
      if (o instanceof HttpResponse r) {
        s.add(r.status().code());
      }
    }
    return s;
  }

  // ---- the servers ---------------------------------------------------------------------------

  /** The request objects backend connection {@code ch} received, buffers released. */
  static List<Object> requests(EmbeddedChannel ch) {
    List<Object> out = new ArrayList<>();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      out.add(o instanceof HttpContent c ? c.content().toString(StandardCharsets.US_ASCII) : o);
      ReferenceCountUtil.release(o);
    }
    return out;
  }

  static HttpResponse head(int status, int contentLength) {
    HttpResponse r =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
    return r;
  }

  /** {@code ch} answers a whole response with {@code body}. */
  static void respond(EmbeddedChannel ch, int status, String body) {
    ch.writeInbound(head(status, body.length()), new DefaultLastHttpContent(text(body)));
  }

  static HttpContent chunk(String s) {
    return new DefaultHttpContent(text(s));
  }

  static HttpContent last(String s) {
    return new DefaultLastHttpContent(text(s));
  }

  /**
   * Moves the shared ticker and runs what became due on the client and on every backend connection.
   */
  void advance(Duration d) {
    ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
    client.runScheduledPendingTasks();
    backends.runTimers();
    client.runPendingTasks();
  }

  // ---- what was recorded ---------------------------------------------------------------------

  /** The access log lines, read once the log is closed (which writes every buffered line). */
  List<JsonNode> logLines() {
    if (lines == null) {
      rt.accessLog().close();
      lines = new ArrayList<>();
      try {
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.exists(log) ? Files.readAllLines(log) : List.<String>of()) {
          lines.add(json.readTree(line));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return lines;
  }

  /** The single access log line, checked to be the only one. */
  JsonNode onlyLine() {
    assertThat(logLines()).hasSize(1);
    return logLines().get(0);
  }

  /** Exchanges recorded in {@code server}'s latency meter. */
  long recorded(String server) {
    Timer t =
        analytics.registry().find("tether.server.request.duration").tag("server", server).timer();
    return t == null ? 0 : t.count();
  }

  /** Requests in flight on {@code server} by the picker's count. */
  int inFlight(String server) {
    return pool.snapshot().members().stream()
        .filter(m -> m.name().equals(server))
        .findFirst()
        .orElseThrow()
        .load()
        .inFlight();
  }

  @Override
  public void close() {
    received();
    received.forEach(ReferenceCountUtil::release);
    client.finishAndReleaseAll();
    backends.closeAll();
    logLines();
    analytics.close();
  }
}
