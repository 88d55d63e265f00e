package dev.tether.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tether reload} against a real admin API: a balancer started from a file in this JVM
 * (reloading it the way {@code tether run} does), the command run through picocli with its output
 * captured, exit codes 0, 1 and 2.
 */
class ReloadCommandTest {

  private static final String TOKEN = "reload-command-token-0123456789";

  @TempDir Path dir;

  private Path file;
  private TestBackend s1;
  private TestBackend s2;
  private ControlPlane tether;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private String yaml(TestBackend... servers) {
    StringBuilder sb =
        new StringBuilder(
            "listen: 127.0.0.1:0\nworkers: 1\nadmin: { listen: 127.0.0.1:0, token: "
                + TOKEN
                + " }\npools:\n  web:\n    servers:\n");
    for (TestBackend b : servers) {
      sb.append("      - { name: ")
          .append(b.name())
          .append(", address: ")
          .append(b.address())
          .append(" }\n");
    }
    return sb.toString();
  }

  @BeforeEach
  void start() throws Exception {
    s1 = TestBackend.start("s1");
    s2 = TestBackend.start("s2");
    file = dir.resolve("tether.yaml");
    Files.writeString(file, yaml(s1));
    tether =
        ControlPlane.start(
            ConfigFiles.loadOrThrow(file), () -> tether.reload(ConfigFiles.loadOrThrow(file)));
  }

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    s1.close();
    s2.close();
  }

  private int reload(Map<String, String> env, String... args) {
    CommandLine cl = new CommandLine(new ReloadCommand(env::get));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private String admin() {
    return "http://127.0.0.1:" + tether.admin().port();
  }

  @Test
  void aGoodFileIsReloadedAndTheCommandSaysSo() throws Exception {
    Files.writeString(file, yaml(s1, s2));
    int code = reload(Map.of("TOK", TOKEN), "--admin", admin(), "--token-env", "TOK");
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo("reloaded " + file + ": 1 pool\n");
    assertThat(tether.pool("web").snapshot().members()).hasSize(2);

    assertThat(
            reload(
                Map.of(ReloadCommand.DEFAULT_TOKEN_ENV, TOKEN),
                "--admin",
                "127.0.0.1:" + tether.admin().port()))
        .as("the default token variable and a bare host:port")
        .isZero();
  }

  @Test
  void aBrokenFileIsRejectedWithFileLineAndKeyAndTheOldConfigurationStays() throws Exception {
    Files.writeString(
        file, yaml(s1, s2).replace("    servers:", "    algorithm: fastest\n    servers:"));
    int code = reload(Map.of("TOK", TOKEN), "--admin", admin(), "--token-env", "TOK");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("reload rejected; the balancer keeps its running configuration:\n")
        .contains(file + ":6:16: pools.web.algorithm: unknown algorithm 'fastest'");
    assertThat(out.toString()).isEmpty();
    assertThat(tether.pool("web").snapshot().members())
        .as("still the previous configuration")
        .hasSize(1);
  }

  @Test
  void noAnswerOrBadInputExitsWith2() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    assertThat(reload(Map.of(), "--admin", "http://127.0.0.1:" + closed)).isEqualTo(2);
    assertThat(err.toString())
        .contains("cannot reach the admin API at http://127.0.0.1:" + closed + "/api/reload");

    err.getBuffer().setLength(0);
    assertThat(reload(Map.of(), "--admin", admin())).as("no token").isEqualTo(2);
    assertThat(err.toString()).contains("refused the request (401)").contains("--token-env");

    err.getBuffer().setLength(0);
    assertThat(reload(Map.of("TOK", "wrong"), "--admin", admin(), "--token-env", "TOK"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("(401)");

    err.getBuffer().setLength(0);
    assertThat(reload(Map.of(), "--admin", admin(), "--token-env", "MISSING")).isEqualTo(2);
    assertThat(err.toString()).contains("environment variable MISSING is not set");

    err.getBuffer().setLength(0);
    assertThat(reload(Map.of(), "--admin", "ftp://127.0.0.1:1")).isEqualTo(2);
    assertThat(err.toString()).contains("is not an http(s) URL with a host");

    err.getBuffer().setLength(0);
    assertThat(reload(Map.of(), "--admin", admin(), "--timeout", "soon")).isEqualTo(2);
    assertThat(err.toString()).contains("--timeout: 'soon' is not a duration");
    assertThat(tether.pool("web").snapshot().members()).hasSize(1);
  }

  @Test
  void aBalancerThatCannotReloadIsARefusal() throws Exception {
    ControlPlane noFile =
        ControlPlane.start(
            dev.tether.proxy.config.yaml.ConfigLoader.parse(
                yaml(s1), "inline.yaml", Map.<String, String>of()::get));
    try {
      int code =
          reload(
              Map.of("TOK", TOKEN),
              "--admin",
              "http://127.0.0.1:" + noFile.admin().port(),
              "--token-env",
              "TOK");
      assertThat(code).isEqualTo(1);
      assertThat(err.toString())
          .startsWith("reload not possible: this configuration did not come from a file");
    } finally {
      noFile.stop(Duration.ofSeconds(2));
    }
  }

  @Test
  void theAdminUrlKeepsItsPathPrefixAndABareHostPortMeansHttp() {
    assertThat(ReloadCommand.reloadUri("http://lb.example:9090/tether/"))
        .hasToString("http://lb.example:9090/tether/api/reload");
    assertThat(ReloadCommand.reloadUri("10.0.0.5:9090"))
        .hasToString("http://10.0.0.5:9090/api/reload");
    assertThat(ReloadCommand.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(ReloadCommand.duration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(ReloadCommand.duration("0s")).isNull();
  }

  @Test
  void isASubcommandOfTether() {
    CommandLine tetherCli = new CommandLine(new TetherCommand());
    assertThat(tetherCli.getSubcommands()).containsKey("reload");
  }
}
