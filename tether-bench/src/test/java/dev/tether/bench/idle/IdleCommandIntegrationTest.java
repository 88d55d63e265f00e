package dev.tether.bench.idle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.bench.BenchCommand;
import dev.tether.proxy.ProxySettings;
import dev.tether.proxy.TetherProxy;
import dev.tether.proxy.TrustedProxies;
import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.config.Timeouts;
import dev.tether.proxy.config.Transport;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.route.Upstream;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code tether bench idle} against a real balancer (in this JVM) and backend, on port 0. */
@ExtendWith(LeakDetection.class)
class IdleCommandIntegrationTest {

  private final TestBackend backend = TestBackend.start("s1");
  private final TetherProxy proxy = start(backend);

  @AfterEach
  void close() {
    proxy.stop(Duration.ofSeconds(2));
    backend.close();
  }

  private static TetherProxy start(TestBackend b) {
    Pool pool =
        new Pool(
            "web",
            List.of(new Server("s1", "127.0.0.1", b.port(), 1)),
            Balancers.find("round-robin").orElseThrow(),
            Map.of(),
            BalanceEnv.SYSTEM);
    Upstream up =
        new Upstream(
            pool,
            Map.of("s1", new InetSocketAddress("127.0.0.1", b.port())),
            ConnectionsConfig.DEFAULTS,
            null,
            true);
    Router router = new Router(List.of(new Route(null, "/", "web")), Map.of("web", up));
    ProxySettings settings =
        new ProxySettings(
            new ProxySettings.Listen("127.0.0.1", 0, 1, Transport.AUTO),
            Timeouts.DEFAULTS,
            Limits.DEFAULTS,
            TrustedProxies.NONE,
            AccessLog.DEFAULTS);
    return TetherProxy.start(settings, router);
  }

  @Test
  void measuresTheBalancerWithItsConnectionsReallyOpen() throws Exception {
    long self = ProcessHandle.current().pid();
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code =
          BenchCommand.execute(
              "idle",
              "--url",
              "http://127.0.0.1:" + proxy.port(),
              "--connections",
              "40",
              "--pid",
              Long.toString(self),
              "--request",
              "--warmup",
              "5",
              "--settle",
              "200ms",
              "--json");
    } finally {
      System.setOut(saved);
    }

    assertThat(code).as("output %s", out).isZero();
    // System.out is the whole JVM's: a thread left by an earlier test class may print into it
    // while it is captured, so the report is read from the line where it begins
    String printed = out.toString(StandardCharsets.UTF_8);
    int start = printed.startsWith("{") ? 0 : printed.indexOf("\n{");
    assertThat(start).as("a JSON report in %s", printed).isNotNegative();
    start = printed.startsWith("{") ? 0 : start + 1;
    if (start > 0) {
      System.err.println(
          "printed by another thread during the run: " + printed.substring(0, start));
    }
    JsonNode r = new ObjectMapper().readTree(printed.substring(start));
    assertThat(r.get("pid").asLong()).isEqualTo(self);
    assertThat(r.get("connections").asInt()).isEqualTo(40);
    assertThat(r.get("opened").asInt()).isEqualTo(40);
    assertThat(r.get("stillOpen").asInt()).isEqualTo(40);
    assertThat(r.get("request").asBoolean()).isTrue();
    // this process holds both ends of each connection: at least 80 more descriptors
    assertThat(r.get("openFilesAfter").asInt() - r.get("openFilesBefore").asInt())
        .isGreaterThanOrEqualTo(80);
    assertThat(r.get("rssBeforeKiB").asLong()).isPositive();
    assertThat(r.get("rssAfterKiB").asLong()).isPositive();
    assertThat(r.get("kibPerConnection").asDouble() * 40)
        .isCloseTo(
            r.get("rssAfterKiB").asLong() - r.get("rssBeforeKiB").asLong(),
            org.assertj.core.api.Assertions.within(0.01));
    // the second half: 20 connections opened after the middle reading
    assertThat(r.get("openAtMiddle").asInt()).isEqualTo(20);
    assertThat(r.get("rssMiddleKiB").asLong()).isPositive();
    assertThat(r.get("marginalKiBPerConnection").asDouble() * 20)
        .isCloseTo(
            r.get("rssAfterKiB").asLong() - r.get("rssMiddleKiB").asLong(),
            org.assertj.core.api.Assertions.within(0.01));
    assertThat(r.get("firstFailure").isNull()).isTrue();
    // the balancer served the warm-up and each connection's request
    assertThat(backend.requests()).isEqualTo(45);
  }

  @Test
  void findsTheListeningProcessWhenNoPidIsGiven() {
    assertThat(ProcessMemory.system().listenerOf(proxy.port()))
        .isEqualTo(ProcessHandle.current().pid());
  }
}
