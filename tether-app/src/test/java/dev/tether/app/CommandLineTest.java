package dev.tether.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tether} command's exit codes and what it prints for good and bad files. */
class CommandLineTest {

  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = TetherCommand.execute(args);
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void checkAcceptsAValidFile() throws Exception {
    Path f = dir.resolve("tether.yaml");
    Files.writeString(
        f,
        """
        listen: 127.0.0.1:8080
        pools:
          web:
            algorithm: weighted-round-robin
            servers:
              - { name: s1, address: 127.0.0.1:9001, weight: 2 }
              - { name: s2, address: 127.0.0.1:9002 }
        """);
    Run r = run("check", "--config", f.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("OK (1 pool, 2 servers, 1 route, listening on 127.0.0.1:8080)");
  }

  @Test
  void checkListsEveryProblemWithFileLineAndKey() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(
        f,
        """
        listen: 127.0.0.1:8080
        pools:
          web:
            algoritm: round-robin
            servers:
              - { name: s1, address: 127.0.0.1:99999 }
        """);
    Run r = run("check", "--config", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("2 problems")
        .contains("bad.yaml:4:5: pools.web.algoritm:")
        .contains("did you mean `algorithm`?")
        .contains("bad.yaml:6:")
        .contains("pools.web.servers[0].address");
  }

  @Test
  void checkSaysWhenTheFileIsMissing() {
    Run r = run("check", "--config", dir.resolve("nope.yaml").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("nope.yaml: no such file");
  }

  @Test
  void runRefusesABadFileWithExitCode2() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "listen: nowhere\n");
    Run r = run("run", "--config", f.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("bad.yaml:1:9: listen:");
  }

  @Test
  void theDemoConfigurationIsValid() throws Exception {
    Run r =
        run(
            "demo",
            "--print-config",
            "--port",
            "18999",
            "--admin-port",
            "19999",
            "--instances",
            "4");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("listen: 127.0.0.1:18999").contains("name: s4");
    dev.tether.proxy.config.TetherConfig c =
        dev.tether.proxy.config.yaml.ConfigLoader.parse(
            r.out(),
            "demo.yaml",
            java.util.Map.of(
                    "TETHER_DEMO_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]))
                ::get);
    assertThat(c.admin().listen().port()).isEqualTo(19999);
    assertThat(c.pools().get("web").health().path()).isEqualTo("/healthz");
    assertThat(c.warnings()).isEmpty();
    assertThat(c.pools().get("web").servers()).hasSize(4);
  }

  @Test
  void theDemoRefusesAnUnknownStoreWithExitCode2() {
    Run r = run("demo", "--store", "cassandra");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("store 'cassandra' is unknown; allowed: grid, redis, jdbc, file, memory");
  }
}
