package dev.tether.bench.idle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.bench.BenchCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Option parsing and validation of {@code tether bench idle}; no sockets. */
class IdleCommandTest {

  private static IdleSettings parse(long self, long maxFiles, String... args) {
    IdleCommand c = new IdleCommand();
    new CommandLine(c).parseArgs(args);
    return c.settings(self, maxFiles);
  }

  @Test
  void defaultsAndEveryOption() {
    IdleSettings d = parse(1, 20_000, "--url", "http://127.0.0.1:8080");
    assertThat(d.connections()).isEqualTo(1000);
    assertThat(d.pid()).isNull();
    assertThat(d.request()).isFalse();
    assertThat(d.warmup()).isEqualTo(100);
    assertThat(d.settle()).isEqualTo(Duration.ofSeconds(3));
    assertThat(d.admin()).isNull();
    assertThat(d.gc()).isFalse();

    IdleSettings s =
        parse(
            1,
            20_000,
            "--url",
            "http://127.0.0.1:8080",
            "--connections",
            "8000",
            "--pid",
            "4242",
            "--request",
            "--path",
            "/health",
            "--warmup",
            "0",
            "--settle",
            "1500ms",
            "--admin",
            "http://127.0.0.1:9090/",
            "--gc");
    assertThat(s.target().port()).isEqualTo(8080);
    assertThat(s.connections()).isEqualTo(8000);
    assertThat(s.pid()).isEqualTo(4242L);
    assertThat(s.request()).isTrue();
    assertThat(s.path()).isEqualTo("/health");
    assertThat(s.warmup()).isZero();
    assertThat(s.settle()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.admin()).hasToString("http://127.0.0.1:9090");
    assertThat(s.gc()).isTrue();
  }

  @Test
  void connectionsAreBoundedByTheDescriptorLimit() {
    assertThat(parse(1, 20_000, "--url", "http://h:1", "--connections", "19744").connections())
        .isEqualTo(19_744);
    assertThatThrownBy(() -> parse(1, 20_000, "--url", "http://h:1", "--connections", "19745"))
        .hasMessageContaining("--connections is 19745; allowed: 1..19744")
        .hasMessageContaining("ulimit -n");
    // the balancer in this very process needs the server side of each connection too
    assertThatThrownBy(
            () -> parse(7, 20_000, "--url", "http://h:1", "--connections", "9873", "--pid", "7"))
        .hasMessageContaining("allowed: 1..9872")
        .hasMessageContaining("2 descriptors");
    assertThatThrownBy(() -> parse(1, 20_000, "--url", "http://h:1", "--connections", "0"))
        .hasMessageContaining("--connections is 0");
  }

  @Test
  void badValuesSayWhatIsAllowed() {
    assertThatThrownBy(() -> parse(1, 20_000, "--url", "https://h:1"))
        .hasMessageContaining("https is not supported");
    assertThatThrownBy(() -> parse(1, 20_000, "--url", "http://h:1", "--settle", "soon"))
        .hasMessageContaining("--settle is 'soon'; allowed: e.g. 30s");
    assertThatThrownBy(() -> parse(1, 20_000, "--url", "http://h:1", "--warmup", "-1"))
        .hasMessageContaining("--warmup is -1; allowed: 0..10000");
    assertThatThrownBy(() -> parse(1, 20_000, "--url", "http://h:1", "--pid", "0"))
        .hasMessageContaining("--pid is 0");
    assertThatThrownBy(() -> parse(1, 20_000, "--url", "http://h:1", "--path", "health"))
        .hasMessageContaining("--path 'health' must start with /");
    assertThatThrownBy(() -> parse(1, 20_000, "--url", "http://h:1", "--admin", "ftp://h"))
        .hasMessageContaining("--admin 'ftp://h'");
  }

  @Test
  void badInputExitsWithTwoAndAMessage() {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertThat(BenchCommand.execute("idle", "--url", "http://127.0.0.1:1", "--connections", "-5"))
          .isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("tether bench idle: --connections is -5");
      assertThat(BenchCommand.execute("idle", "--connections", "5"))
          .isEqualTo(2); // --url is required
      assertThat(
              BenchCommand.execute("idle", "--url", "http://127.0.0.1:1", "--connections", "many"))
          .isEqualTo(2);
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void readsProcFiles(@TempDir Path proc) throws Exception {
    Files.createDirectories(proc.resolve("42/fd"));
    Files.writeString(
        proc.resolve("42/status"), "Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t  123456 kB\n");
    Files.createFile(proc.resolve("42/fd/0"));
    Files.createFile(proc.resolve("42/fd/1"));
    ProcessMemory m = new ProcessMemory(proc);
    assertThat(m.rssKiB(42)).isEqualTo(123_456);
    assertThat(m.openFiles(42)).isEqualTo(2);
    assertThat(m.readable(42)).isTrue();
    assertThat(m.readable(43)).isFalse();
    Files.writeString(
        proc.resolve("limits"),
        "Limit                     Soft Limit           Hard Limit           Units\n"
            + "Max open files            20000                20000                files\n");
    assertThat(IdleCommand.maxOpenFiles(proc.resolve("limits"))).isEqualTo(20_000);
    assertThat(IdleCommand.maxOpenFiles(proc.resolve("missing"))).isEqualTo(1024);
  }

  @Test
  void sumsTheHeapPoolsOfAPrometheusPage() {
    String page =
        """
        # HELP jvm_memory_used_bytes The amount of used memory
        jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1048576.0
        jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2097152.0
        jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9999999.0
        """;
    assertThat(HeapReader.sumHeap(page)).isEqualTo(3_145_728L);
    assertThat(HeapReader.sumHeap("# nothing\n")).isNull();
  }
}
