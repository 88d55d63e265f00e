package dev.tether.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code tether bench} and {@code tether bench store} are reachable from the {@code tether}
 * command.
 */
class BenchSubcommandTest {

  private static synchronized String[] run(int[] code, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code[0] = TetherCommand.execute(args);
      return new String[] {
        out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)
      };
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void benchRefusesAnUnreachableUrlWithExitTwo() {
    int[] code = new int[1];
    String[] r = run(code, "bench", "--url", "http://127.0.0.1:1", "--duration", "1s");
    assertThat(code[0]).isEqualTo(2);
    assertThat(r[1]).startsWith("tether bench: cannot connect to 127.0.0.1:1");
  }

  @Test
  void benchStoreValidatesLikeTheStoreBenchmark() {
    int[] code = new int[1];
    String[] r = run(code, "bench", "store", "--threads", "0");
    assertThat(code[0]).isEqualTo(2);
    assertThat(r[1]).contains("threads is 0; allowed: 1..256");
  }

  @Test
  void benchHelpListsTheStoreSubcommand() {
    int[] code = new int[1];
    String[] r = run(code, "bench", "--help");
    assertThat(code[0]).isZero();
    assertThat(r[0]).contains("--url", "--chaos", "--rate", "store");
  }
}
