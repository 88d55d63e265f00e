package dev.tether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tether.bench.idle.IdleCommand;
import dev.tether.bench.load.LoadReport;
import dev.tether.bench.load.LoadRunner;
import dev.tether.bench.load.LoadSettings;
import dev.tether.bench.load.LoadTarget;
import dev.tether.bench.load.ReportText;
import dev.tether.bench.load.chaos.AdminClient;
import dev.tether.bench.load.chaos.ChaosAction;
import dev.tether.bench.load.chaos.ChaosRunner;
import dev.tether.bench.load.chaos.ChaosSchedule;
import dev.tether.bench.load.scenario.Scenario;
import dev.tether.bench.load.scenario.Scenarios;
import dev.tether.session.bench.StoreCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tether bench}: the session-aware load generator, {@code tether bench store} and {@code
 * tether bench idle}.
 *
 * <pre>
 * tether bench --url http://127.0.0.1:8080 --users 200 --duration 60s \
 *     --chaos "at=20s kill-serving; at=40s start s2" --json report.json
 * tether bench --url http://127.0.0.1:8080 --scenario static --users 50 --duration 10s
 * tether bench --url http://127.0.0.1:8080 --scenario my-app.yaml --rate 2000
 * </pre>
 *
 * <p>Exit status: 0 when every request was answered as expected, 1 when sessions were lost or
 * requests failed, 2 for bad input (unknown option or scenario key, unparseable chaos, unreachable
 * URL).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    subcommands = {StoreCommand.class, IdleCommand.class},
    description = {
      "Session-aware load generator: virtual users with their own cookies and expected state.",
      "Counts lost and stale sessions, failed requests, latency (HdrHistogram), per-instance spread;",
      "runs a chaos schedule through the admin API. `tether bench store` benchmarks the session stores;",
      "`tether bench idle` measures the balancer's memory per idle connection."
    })
public final class BenchCommand implements Callable<Integer> {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?");

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "The balancer or app, e.g. http://127.0.0.1:8080.")
  String url;

  @Option(
      names = "--users",
      defaultValue = "10",
      description = "Virtual users (default ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--duration",
      defaultValue = "30s",
      description = "How long, e.g. 60s, 2m (default ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description =
          "Open model: R requests/s in all, latency from the intended send time. Default: closed model.")
  Double rate;

  @Option(
      names = "--scenario",
      defaultValue = "shop",
      description = "shop, static or FILE.yaml (default ${DEFAULT-VALUE}).")
  String scenario;

  @Option(
      names = "--items",
      defaultValue = "3",
      description = "Items each shop user adds per round (default ${DEFAULT-VALUE}).")
  int items;

  @Option(
      names = "--path",
      defaultValue = "/",
      description = "The path the static scenario GETs (default ${DEFAULT-VALUE}).")
  String path;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the report as JSON to FILE.")
  Path json;

  @Option(
      names = "--chaos",
      paramLabel = "SCHEDULE",
      description =
          "e.g. \"at=10s kill s2; at=20s drain s3; at=30s start s2; at=40s add s4\"; also kill-serving, start-killed, enable, disable, add NAME=HOST:PORT.")
  String chaos;

  @Option(
      names = "--admin",
      defaultValue = "http://127.0.0.1:9090",
      description = "The admin API (default ${DEFAULT-VALUE}).")
  String admin;

  @Option(
      names = "--admin-token-env",
      paramLabel = "VAR",
      description = "Environment variable holding the admin API's bearer token.")
  String adminTokenEnv;

  @Option(
      names = "--pool",
      defaultValue = "web",
      description = "The pool drain/enable/disable/add act on (default ${DEFAULT-VALUE}).")
  String pool;

  @Option(
      names = "--timeout",
      defaultValue = "10s",
      description = "Per-request timeout (default ${DEFAULT-VALUE}).")
  String timeout;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "Client event loops (default ${DEFAULT-VALUE}).")
  int threads;

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    LoadSettings settings;
    Scenario sc;
    List<ChaosAction> actions;
    AdminClient adminClient = null;
    try {
      if (url == null) {
        throw new IllegalArgumentException(
            "--url is missing; e.g. --url http://127.0.0.1:8080 (or `tether bench store`)");
      }
      LoadTarget target = LoadTarget.parse(url);
      settings =
          new LoadSettings(
              target,
              users,
              duration("--duration", duration),
              rate,
              duration("--timeout", timeout),
              threads);
      String runId = Long.toString(ThreadLocalRandom.current().nextLong() & 0xffffffffL, 36);
      sc = Scenarios.resolve(scenario, items, path, runId);
      actions = ChaosSchedule.parse(chaos);
      if (!actions.isEmpty()) {
        String token = null;
        if (adminTokenEnv != null) {
          token = System.getenv(adminTokenEnv);
          if (token == null) {
            throw new IllegalArgumentException(
                "--admin-token-env " + adminTokenEnv + ": the variable is not set");
          }
        }
        adminClient = new AdminClient(URI.create(admin.endsWith("/") ? admin : admin + "/"), token);
      }
      reachable(target);
    } catch (IllegalArgumentException e) {
      err.println("tether bench: " + e.getMessage());
      return 2;
    }
    AdminClient a = adminClient;
    LoadReport report =
        LoadRunner.run(
            new LoadRunner.Options(
                settings,
                sc,
                actions.isEmpty()
                    ? null
                    : hooks -> new ChaosRunner(actions, a, pool, hooks, System::nanoTime),
                err,
                System.console() != null));
    System.out.print(ReportText.format(report));
    if (json != null) {
      try {
        new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValue(json.toFile(), report);
      } catch (IOException e) {
        err.println("tether bench: cannot write " + json + ": " + e.getMessage());
        return 2;
      }
    }
    return report.lostSessions() + report.failures() > 0 ? 1 : 0;
  }

  private static void reachable(LoadTarget target) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(target.host(), target.port()), 3000);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot connect to " + target.hostHeader() + ": " + e.getMessage());
    }
  }

  /**
   * Parses {@code 30s}, {@code 1500ms}, {@code 2m} or a bare number of seconds given to {@code
   * option}.
   *
   * @throws IllegalArgumentException naming the option and what is allowed
   */
  public static Duration durationOf(String option, String text) {
    return duration(option, text);
  }

  /** Parses {@code 30s}, {@code 1500ms}, {@code 2m} or a bare number of seconds. */
  static Duration duration(String option, String text) {
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          option + " is '" + text + "'; allowed: e.g. 30s, 1500ms, 2m");
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double ms =
        switch (unit) {
          case "ms" -> v;
          case "s" -> v * 1000;
          default -> v * 60_000;
        };
    return Duration.ofMillis(Math.round(ms));
  }

  /** Runs {@code tether bench} with {@code args} and returns the exit status. */
  public static int execute(String... args) {
    return new CommandLine(new BenchCommand()).execute(args);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
