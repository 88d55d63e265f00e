package dev.tether.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.bench.BenchCommand;
import dev.tether.bench.load.chaos.AdminClient;
import dev.tether.bench.load.chaos.ChaosRunner;
import dev.tether.bench.load.chaos.ChaosSchedule;
import dev.tether.bench.load.scenario.FileScenario;
import dev.tether.bench.load.scenario.ScenarioFileReader;
import dev.tether.bench.load.scenario.ShopScenario;
import dev.tether.bench.load.scenario.StaticScenario;
import dev.tether.testing.leak.LeakDetection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Drives the fake shop over real sockets (port 0) with the Netty client. */
@ExtendWith(LeakDetection.class)
class LoadRunnerIntegrationTest {

  private final FakeShop shop = new FakeShop("s1");
  private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

  @AfterEach
  void close() {
    shop.close();
  }

  private LoadReport run(LoadSettings settings, dev.tether.bench.load.scenario.Scenario scenario)
      throws Exception {
    return LoadRunner.run(
        new LoadRunner.Options(
            settings,
            scenario,
            null,
            new PrintStream(progress, true, StandardCharsets.UTF_8),
            false));
  }

  private LoadSettings settings(int port, int users, Duration d, Double rate) {
    return new LoadSettings(
        LoadTarget.parse("http://127.0.0.1:" + port), users, d, rate, Duration.ofSeconds(5), 1);
  }

  @Test
  void aShopThatKeepsItsCartsLosesNoSession() throws Exception {
    int port = shop.serve();
    LoadReport r = run(settings(port, 8, Duration.ofMillis(1500), null), new ShopScenario(3, "it"));

    assertThat(r.requests()).isGreaterThan(100);
    assertThat(r.lostSessions()).as("samples %s", r.lostSamples()).isZero();
    assertThat(r.errors() + r.failures()).as("samples %s", r.errorSamples()).isZero();
    assertThat(r.perInstance()).containsOnlyKeys("s1");
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("req/s");
    assertThat(ReportText.format(r)).contains("lost sessions   0");
  }

  @Test
  void forgottenCartsAreCountedWithSamples() throws Exception {
    shop.forgetEvery = 10;
    int port = shop.serve();
    LoadReport r = run(settings(port, 8, Duration.ofMillis(1500), null), new ShopScenario(3, "it"));

    assertThat(shop.forgotten.get()).isPositive();
    assertThat(r.lostSessions()).isEqualTo(shop.forgotten.get());
    Sample s = r.lostSamples().getFirst();
    assertThat(s.request()).isEqualTo("GET /api/cart");
    assertThat(s.got()).contains("missing");
    assertThat(s.instance()).isEqualTo("s1");
  }

  @Test
  void theExampleScenarioFileChecksTheShopToo() throws Exception {
    shop.forgetEvery = 10;
    int port = shop.serve();
    FileScenario example = ScenarioFileReader.read(Path.of("../bench/scenarios/shop.yaml"), "it");
    LoadReport r = run(settings(port, 4, Duration.ofMillis(1000), null), example);

    assertThat(r.scenario()).isEqualTo("shop-yaml");
    assertThat(shop.forgotten.get()).isPositive();
    assertThat(r.lostSessions()).isEqualTo(shop.forgotten.get());
    Sample first = r.lostSamples().getFirst();
    assertThat(first.request()).isEqualTo("GET /api/cart");
    assertThat(first.expected()).startsWith("/items/0 = bit-u").endsWith("-i0");
    assertThat(first.got()).isEqualTo("/items/0 = null");
    assertThat(r.errors() + r.failures()).as("samples %s", r.errorSamples()).isZero();
  }

  @Test
  void aStallShowsInTheOpenModelsPercentiles() throws Exception {
    int port = shop.serve();
    shop.stall = true;
    // 2 users at 40 req/s, 1 s per answer: each user is ~19 intended requests behind by the end
    LoadReport r =
        run(settings(port, 2, Duration.ofSeconds(2), 40.0), new StaticScenario("/api/cart"));

    assertThat(r.model()).isEqualTo("open");
    assertThat(r.latencyMillis().p50()).isGreaterThan(1000);
  }

  @Test
  void anUnreachableAdminApiAndAnActionAfterTheEndAreReportedPerAction() throws Exception {
    int port = shop.serve();
    LoadSettings s = settings(port, 2, Duration.ofMillis(800), null);
    LoadReport r =
        LoadRunner.run(
            new LoadRunner.Options(
                s,
                new ShopScenario(1, "it"),
                hooks ->
                    new ChaosRunner(
                        ChaosSchedule.parse("at=200ms kill-serving; at=60m start s1"),
                        new AdminClient(URI.create("http://127.0.0.1:1/"), null),
                        "web",
                        hooks,
                        System::nanoTime),
                new PrintStream(progress, true, StandardCharsets.UTF_8),
                false));

    assertThat(r.chaos()).hasSize(2);
    assertThat(r.chaos().getFirst().target()).isEqualTo("s1");
    assertThat(r.chaos().getFirst().status()).isZero();
    assertThat(r.chaos().getFirst().message()).contains("unreachable");
    assertThat(r.chaos().get(1).message()).isEqualTo("not run: the load ended first");
  }

  @Test
  void badInputExitsWithTwo() throws Exception {
    int port = shop.serve();
    assertThat(BenchCommand.execute("--url", "http://127.0.0.1:1", "--duration", "1s"))
        .isEqualTo(2);
    assertThat(
            BenchCommand.execute("--url", "http://127.0.0.1:" + port, "--chaos", "at=1s boom s1"))
        .isEqualTo(2);
    assertThat(BenchCommand.execute("--url", "http://127.0.0.1:" + port, "--scenario", "nope"))
        .isEqualTo(2);
    assertThat(BenchCommand.execute("--url", "ftp://x")).isEqualTo(2);
    assertThat(
            BenchCommand.execute(
                "--url",
                "http://127.0.0.1:" + port,
                "--scenario",
                "shop",
                "--users",
                "2",
                "--duration",
                "500ms"))
        .isZero();
  }
}
