package dev.tether.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.yaml.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogConfigTest {

  private static final String POOLS =
      "pools: { web: { servers: [ { name: s1, address: 127.0.0.1:9001 } ] } }\n";

  @Test
  void withoutTheNewKeysTheDefaultsHold() throws Exception {
    TetherConfig c =
        ConfigLoader.parse(
            "listen: 127.0.0.1:8080\naccess-log: { format: json }\n" + POOLS,
            "tether.yaml",
            Map.<String, String>of()::get);
    assertThat(c.accessLog())
        .isEqualTo(
            new AccessLog(true, AccessLog.Format.JSON, null, 64 * 1024, Duration.ofSeconds(1)));
  }

  @Test
  void pathBufferAndFlushAreRead_pathRelativeToTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tether.yaml");
    Files.writeString(
        file,
        "listen: 127.0.0.1:8080\n"
            + "access-log: { path: logs/access.log, buffer: 128k, flush: 250ms, format: plain }\n"
            + POOLS);
    TetherConfig c = ConfigLoader.load(file);
    assertThat(c.accessLog())
        .isEqualTo(
            new AccessLog(
                true,
                AccessLog.Format.PLAIN,
                dir.toAbsolutePath().resolve("logs/access.log").normalize(),
                128 * 1024,
                Duration.ofMillis(250)));
  }

  @Test
  void badValuesNameTheKeyAndWhatIsAllowed() {
    List<ConfigProblem> p =
        ConfigErrorsTest.problems(
            "listen: 127.0.0.1:8080\n"
                + "access-log: { buffer: 1k, flush: 1ms, path: '', format: xml }\n"
                + POOLS);
    assertThat(p)
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder(
            "access-log.buffer", "access-log.flush", "access-log.path", "access-log.format");
    assertThat(p).allSatisfy(x -> assertThat(x.line()).isEqualTo(2));
    assertThat(p)
        .filteredOn(x -> x.path().equals("access-log.buffer"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("out of range", "4k"));
    assertThat(p)
        .filteredOn(x -> x.path().equals("access-log.flush"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("too short", "10ms"));
    assertThat(p)
        .filteredOn(x -> x.path().equals("access-log.path"))
        .singleElement()
        .satisfies(x -> assertThat(x.message()).contains("standard output"));
  }

  @Test
  void anUnknownKeyIsStillRefused() {
    List<ConfigProblem> p =
        ConfigErrorsTest.problems(
            "listen: 127.0.0.1:8080\n" + "access-log: { file: a.log }\n" + POOLS);
    assertThat(p).singleElement().satisfies(x -> assertThat(x.path()).isEqualTo("access-log.file"));
  }
}
