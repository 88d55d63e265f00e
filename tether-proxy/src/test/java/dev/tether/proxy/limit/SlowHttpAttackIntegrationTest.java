package dev.tether.proxy.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.proxy.ProxySettings;
import dev.tether.proxy.TetherProxy;
import dev.tether.proxy.TrustedProxies;
import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.config.ClientLimits;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.config.Timeouts;
import dev.tether.proxy.config.Transport;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.route.Upstream;
import dev.tether.testing.backend.TestBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slowloris, slow POST and slow read at once, from {@code slowhttptest} (Debian package), against a
 * proxy on a loopback port, while legitimate clients keep requesting: they must see no error and
 * keep at least half of the throughput they had just before the attack.
 *
 * <p>Runs in its own surefire execution ({@code slow-client-attack}) with Netty's sampling leak
 * detection instead of paranoid: paranoid records a stack trace at every buffer access, which under
 * thousands of connections measures the detector rather than the balancer.
 *
 * <p>The slow readers ask for small responses (2 x 100 kB): a reader of multi-megabyte responses
 * makes the kernel buffer megabytes per connection (here {@code tcp_rmem} lets a backend
 * connection's receive buffer grow to 32 MB), and a few hundred of them push the whole machine's
 * TCP memory into pressure, which stalls every socket of every process, not only the balancer's.
 *
 * <p>The attack size is {@code TETHER_TEST_SLOW_CONNECTIONS} connections per kind (default 800, so
 * the test stays near 30 s on a shared 2-core machine); the binary is {@code
 * TETHER_TEST_SLOWHTTPTEST} (set by {@code .ci/services.sh}). Without it the test is skipped, or
 * fails when {@code TETHER_REQUIRE_SERVICES=true}.
 */
class SlowHttpAttackIntegrationTest {

  private static final int ATTACK_SECONDS = 14;
  private final List<Process> attackers = new ArrayList<>();
  private TestBackend backend;
  private TetherProxy proxy;

  @AfterEach
  void stop() {
    attackers.forEach(Process::destroyForcibly);
    if (proxy != null) {
      proxy.stop(Duration.ZERO);
    }
    if (backend != null) {
      backend.close();
    }
  }

  static String slowhttptest() {
    String bin = System.getenv("TETHER_TEST_SLOWHTTPTEST");
    if (bin == null || bin.isBlank()) {
      if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            "TETHER_TEST_SLOWHTTPTEST is not set, and TETHER_REQUIRE_SERVICES=true makes"
                + " a missing slowhttptest a failure (source <(bash .ci/services.sh) installs it)");
      }
      Assumptions.abort(
          "TETHER_TEST_SLOWHTTPTEST is not set; source <(bash .ci/services.sh) to run the slow-client attack");
    }
    return bin;
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void legitimateClientsKeepTheirThroughputAndSeeNoErrorsUnderSlowClientAttacks() throws Exception {
    String bin = slowhttptest();
    int connections =
        Integer.parseInt(System.getenv().getOrDefault("TETHER_TEST_SLOW_CONNECTIONS", "800"));
    startProxy();
    String base = "http://127.0.0.1:" + proxy.port();

    Load load = new Load(URI.create(base + "/"), 4);
    load.start();
    double before = load.rate(Duration.ofSeconds(3));

    Path dir = Files.createTempDirectory(Path.of("target"), "slowhttptest");
    int rate =
        Math.max(
            50, connections / 4); // all connections open within the first quarter of the attack
    attack(
        bin,
        dir,
        "slowloris",
        "-H",
        "-c",
        connections,
        "-r",
        rate,
        "-i",
        1,
        "-x",
        24,
        "-u",
        base + "/");
    attack(
        bin,
        dir,
        "slowpost",
        "-B",
        "-c",
        connections,
        "-r",
        rate,
        "-i",
        1,
        "-s",
        1_000_000,
        "-x",
        10,
        "-u",
        base + "/echo");
    attack(
        bin,
        dir,
        "slowread",
        "-X",
        "-c",
        connections,
        "-r",
        rate,
        "-w",
        512,
        "-y",
        1024,
        "-n",
        1,
        "-z",
        32,
        "-k",
        2,
        "-u",
        base + "/bytes?n=100000");
    load.rate(Duration.ofSeconds(2)); // the attack under way
    double during = load.rate(Duration.ofSeconds(8));
    for (Process p : attackers) {
      assertThat(p.waitFor(ATTACK_SECONDS + 20, TimeUnit.SECONDS)).as("slowhttptest ends").isTrue();
    }
    load.stop();

    LimitCounters c = proxy.runtime().guard().counters();
    String report =
        "before "
            + Math.round(before)
            + " req/s, during "
            + Math.round(during)
            + " req/s, slow bodies cut "
            + c.count(LimitCounters.Reason.SLOW_BODY)
            + ", slow readers cut "
            + c.count(LimitCounters.Reason.SLOW_READ);
    System.out.println("slow-client attack of 3 x " + connections + " connections: " + report);
    assertThat(load.errors())
        .as("errors seen by legitimate clients; %s", load.firstError())
        .isZero();
    assertThat(during).as(report).isGreaterThanOrEqualTo(before / 2);
    assertThat(c.count(LimitCounters.Reason.SLOW_BODY)).as(report).isGreaterThan(connections / 2);
    // slowhttptest prints its counts every few seconds and stops early once no connection is left
    // open, so its last "closed:" figure may predate the end: that early stop says the most
    String slowloris = report(dir.resolve("slowloris.txt"));
    assertThat(
            slowloris.contains("No open connections left")
                || closedByServer(slowloris) > connections / 2)
        .as(
            "the proxy closed the slowloris connections (slowhttptest: no open connections left, or over half"
                + " closed); last counts: closed %d",
            closedByServer(slowloris))
        .isTrue();
    // the slow readers hold no backend connection: their small responses went whole into the
    // kernel's
    // buffers and the exchange ended (a reader of a response too big for them is cut:
    // ClientLimitsIntegrationTest)
    // (the pool keeps at most 4 idle connections per event loop: 8 in all once every exchange
    // ended)
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(backend.openConnections())
                    .as("backend connections still open after the attack; %s", report)
                    .isLessThanOrEqualTo(8));
  }

  private void startProxy() {
    backend = TestBackend.start("s1");
    Pool pool =
        new Pool(
            "web",
            List.of(new Server("s1", "127.0.0.1", backend.port(), 1)),
            Balancers.find("round-robin").orElseThrow(),
            Map.of(),
            BalanceEnv.SYSTEM);
    Upstream up =
        new Upstream(
            pool,
            Map.of("s1", new InetSocketAddress("127.0.0.1", backend.port())),
            new ConnectionsConfig(4, 0, Duration.ofSeconds(60)),
            null,
            true);
    Router router = new Router(List.of(new Route(null, "/", "web")), Map.of("web", up));
    Timeouts d = Timeouts.DEFAULTS;
    Timeouts timeouts =
        new Timeouts(
            d.connect(),
            Duration.ofSeconds(2),
            d.clientIdle(),
            d.server(),
            d.tunnel(),
            d.shutdown());
    ClientLimits clients = new ClientLimits(0, 0, 0, 0, 1024, 1024, Duration.ofSeconds(2));
    proxy =
        TetherProxy.start(
            new ProxySettings(
                new ProxySettings.Listen("127.0.0.1", 0, 2, Transport.AUTO),
                timeouts,
                new Limits(8192, 16384, 100, 8192, clients),
                TrustedProxies.NONE,
                new AccessLog(false, AccessLog.Format.PLAIN)),
            router);
  }

  private void attack(String bin, Path dir, String name, Object... args) throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of(bin, "-l", String.valueOf(ATTACK_SECONDS), "-p", "3", "-v", "1"));
    for (Object a : args) {
      cmd.add(String.valueOf(a));
    }
    attackers.add(
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".txt").toFile())
            .start());
  }

  /** slowhttptest's report without the ANSI escapes it colours it with. */
  private static String report(Path out) throws IOException {
    return Files.readString(out).replaceAll("\u001b\\[[0-9;]*[mHJ]", "");
  }

  /** The last "closed:" count in slowhttptest's report. */
  private static int closedByServer(String report) {
    Matcher m = Pattern.compile("closed:\\s+(\\d+)").matcher(report);
    int closed = -1;
    while (m.find()) {
      closed = Integer.parseInt(m.group(1));
    }
    return closed;
  }

  /**
   * Legitimate clients: {@code threads} keep-alive clients, each requesting as fast as answers
   * come.
   */
  private static final class Load {
    private final URI uri;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile String firstError = "none";

    Load(URI uri, int n) {
      this.uri = uri;
      for (int i = 0; i < n; i++) {
        threads.add(Thread.ofPlatform().name("legit-" + i).daemon().unstarted(this::run));
      }
    }

    void start() {
      threads.forEach(Thread::start);
    }

    private void run() {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
      while (running.get()) {
        try {
          HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200 && r.body().startsWith("hello from")) {
            ok.incrementAndGet();
          } else {
            fail("status " + r.statusCode());
          }
        } catch (IOException e) {
          fail(e.toString());
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void fail(String what) {
      if (errors.getAndIncrement() == 0) {
        firstError = what;
      }
    }

    /** Successful requests per second over the next {@code d}. */
    double rate(Duration d) throws InterruptedException {
      long from = ok.get();
      long t0 = System.nanoTime();
      await().pollDelay(d).atMost(d.plusSeconds(1)).until(() -> true);
      return (ok.get() - from) * 1e9 / (System.nanoTime() - t0);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }

    long errors() {
      return errors.get();
    }

    String firstError() {
      return firstError;
    }
  }
}
