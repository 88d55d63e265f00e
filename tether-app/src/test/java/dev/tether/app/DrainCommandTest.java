package dev.tether.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.net.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code tether drain} in-process against a real balancer with a token-protected admin API: it
 * waits until the drained server's sticky sessions idle out and exits 0, exits 1 at its deadline,
 * and 2 with a clear message for bad input, a refused token, an unknown server or no admin API.
 */
class DrainCommandTest {

  private static final String TOKEN = "drain-command-token-42";
  private final List<TestBackend> backends = new ArrayList<>();
  private final List<HttpClient> clients = new ArrayList<>();
  private ControlPlane tether;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private int users;

  @BeforeEach
  void start() throws Exception {
    StringBuilder servers = new StringBuilder();
    for (String n : List.of("s1", "s2", "s3")) {
      TestBackend b = TestBackend.start(n);
      backends.add(b);
      servers
          .append("      - { name: ")
          .append(n)
          .append(", address: 127.0.0.1:")
          .append(b.port())
          .append(" }\n");
    }
    tether =
        ControlPlane.start(
            ConfigLoader.parse(
                "listen: 127.0.0.1:0\nworkers: 1\ntrusted-proxies: [127.0.0.1]\n"
                    + "admin: { listen: 127.0.0.1:0, token: "
                    + TOKEN
                    + " }\npools:\n  web:\n"
                    + "    affinity: { mode: cookie, idle-timeout: 2s, refresh-interval: 1s }\n    servers:\n"
                    + servers,
                "tether.yaml",
                Map.<String, String>of()::get));
  }

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
    clients.forEach(HttpClient::close);
  }

  private String admin() {
    return "http://127.0.0.1:" + tether.admin().port();
  }

  /** Runs {@code tether drain ARGS} with {@code env} as the environment. */
  private int drain(Map<String, String> env, String... args) {
    DrainCommand cmd = new DrainCommand();
    cmd.env = env::get;
    return new CommandLine(cmd)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  /**
   * A new sticky user (own cookie jar, own address); returns the server its first request went to.
   */
  private String newUser() throws Exception {
    HttpClient c =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(new CookieManager())
            .build();
    clients.add(c);
    HttpResponse<String> r =
        c.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.proxy().port() + "/"))
                .header("X-Forwarded-For", "10.1.0." + (++users))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.headers().firstValue("X-Server").orElseThrow();
  }

  @Test
  void isASubcommandOfTether() {
    assertThat(new CommandLine(new TetherCommand()).getSubcommands()).containsKey("drain");
  }

  @Test
  void waitsUntilTheSessionsIdledOutAndExitsZero() throws Exception {
    int onS2 = 0;
    for (int i = 0; i < 6; i++) {
      if (newUser().equals("s2")) {
        onS2++;
      }
    }
    assertThat(onS2).isEqualTo(2);
    int code =
        drain(
            Map.of("TOKEN", TOKEN),
            "web",
            "s2",
            "--wait",
            "--deadline",
            "1m",
            "--admin",
            admin(),
            "--token-env",
            "TOKEN",
            "--poll",
            "100ms");
    assertThat(code).as(err.toString()).isZero();
    String printed = out.toString();
    assertThat(printed)
        .startsWith(
            "pool web server s2: draining (soft), 2 sessions, 0 in flight, 0 tunnels, deadline ");
    assertThat(printed)
        .contains("pool web server s2: draining (soft), 0 sessions, 0 in flight, 0 tunnels\n")
        .containsPattern("pool web server s2: done after \\d+s; it can be stopped\n$");
    assertThat(tether.pool("web").snapshot().member("s2").state().name()).isEqualTo("DRAINING");
  }

  @Test
  void exitsOneWhenTheDeadlinePassesFirst() throws Exception {
    String server = newUser();
    int code =
        drain(
            Map.of("TOKEN", TOKEN),
            "web",
            server,
            "--wait",
            "--deadline",
            "1s",
            "--admin",
            admin(),
            "--token-env",
            "TOKEN",
            "--poll",
            "100ms");
    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .contains(
            "pool web server "
                + server
                + ": deadline passed with 1 session, 0 in flight, 0 tunnels left");
  }

  @Test
  void withoutWaitItStartsTheDrainAndReturns() {
    assertThat(drain(Map.of("T", TOKEN), "web", "s1", "--admin", admin(), "--token-env", "T"))
        .isZero();
    assertThat(out.toString())
        .isEqualTo("pool web server s1: draining (soft), 0 sessions, 0 in flight, 0 tunnels\n");
    assertThat(tether.pool("web").snapshot().member("s1").state().name()).isEqualTo("DRAINING");
  }

  @Test
  void mistakesExitTwoWithAMessage() throws Exception {
    assertThat(drain(Map.of("T", TOKEN), "web", "s9", "--admin", admin(), "--token-env", "T"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("the admin API answered 404: pool web has no server 's9'");

    assertThat(
            drain(
                Map.of("T", TOKEN),
                "web",
                "s1",
                "--deadline",
                "soon",
                "--admin",
                admin(),
                "--token-env",
                "T"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "--deadline: 'soon' is not a duration; use a number with ms, s, m, h or d, e.g. 2s");

    assertThat(drain(Map.of(), "web", "s1", "--admin", admin(), "--token-env", "T")).isEqualTo(2);
    assertThat(err.toString()).contains("the environment variable T is not set");

    assertThat(drain(Map.of("T", "wrong"), "web", "s1", "--admin", admin(), "--token-env", "T"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("the admin API wants a valid token (401): the token in $T was refused");

    assertThat(drain(Map.of(), "web", "s1", "--admin", admin())).isEqualTo(2);
    assertThat(err.toString()).contains("pass --token-env VAR");

    int closed = FreePorts.loopback(1).getFirst();
    assertThat(drain(Map.of(), "web", "s1", "--admin", "http://127.0.0.1:" + closed)).isEqualTo(2);
    assertThat(err.toString()).contains("cannot reach the admin API at http://127.0.0.1:" + closed);

    assertThat(drain(Map.of(), "web", "s1", "--admin", "ftp://x")).isEqualTo(2);
    assertThat(err.toString()).contains("--admin 'ftp://x' is not an http(s) URL");
    assertThat(tether.pool("web").snapshot().member("s1").state().name())
        .as("nothing was drained")
        .isEqualTo("UP");
  }
}
