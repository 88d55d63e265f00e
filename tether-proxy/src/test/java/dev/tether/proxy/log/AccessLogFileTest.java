package dev.tether.proxy.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.log.AccessLogger.Entry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code access-log.path}: appending to a real file, and reopening it after logrotate renamed it.
 */
class AccessLogFileTest {

  private final EmbeddedChannel ch = new EmbeddedChannel();

  {
    ch.freezeTime();
  }

  private static Entry entry(String path) {
    return new Entry("203.0.113.7", "GET", path, "web", "s1", 200, 14, 1500, null);
  }

  private void flush() {
    ch.advanceTimeBy(1, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
  }

  @Test
  void afterARenameAndReopenNewLinesGoToANewFileByTheSameName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    Files.writeString(file, "an older line\n"); // appended to, not truncated
    AccessLogger log =
        new AccessLogger(
            new AccessLog(true, AccessLog.Format.JSON, file, 64 * 1024, Duration.ofSeconds(1)));
    try {
      log.log(ch.eventLoop(), entry("/before"));
      flush();
      await().atMost(Duration.ofSeconds(5)).until(() -> Files.readAllLines(file).size() == 2);

      Path rotated = dir.resolve("access.log.1");
      Files.move(file, rotated); // what logrotate does, then it sends SIGUSR1
      log.reopen();
      log.log(ch.eventLoop(), entry("/after"));
      flush();
      await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(file) && Files.size(file) > 0);

      List<String> old = Files.readAllLines(rotated);
      assertThat(old).hasSize(2);
      assertThat(old.get(0)).isEqualTo("an older line");
      assertThat(new ObjectMapper().readTree(old.get(1)).get("path").asText()).isEqualTo("/before");
      List<String> now = Files.readAllLines(file);
      assertThat(now)
          .singleElement()
          .satisfies(
              l ->
                  assertThat(new ObjectMapper().readTree(l).get("path").asText())
                      .isEqualTo("/after"));
    } finally {
      log.close();
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void aFileThatCannotBeOpenedIsNamedInTheError(@TempDir Path dir) {
    Path file = dir.resolve("no-such-dir/access.log");
    assertThatThrownBy(
            () ->
                new AccessLogger(
                    new AccessLog(
                        true, AccessLog.Format.PLAIN, file, 64 * 1024, Duration.ofSeconds(1))))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("access-log.path")
        .hasMessageContaining(file.toString());
  }

  @Test
  void aFailedReopenKeepsWritingToTheOpenFile(@TempDir Path dir) throws Exception {
    Path sub = Files.createDirectory(dir.resolve("logs"));
    Path file = sub.resolve("access.log");
    AccessLogger log =
        new AccessLogger(
            new AccessLog(true, AccessLog.Format.PLAIN, file, 64 * 1024, Duration.ofSeconds(1)));
    try {
      Path moved = dir.resolve("moved");
      Files.move(sub, moved); // the directory is gone: the file cannot be created again
      log.reopen();
      log.log(ch.eventLoop(), entry("/still"));
      flush();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> Files.size(moved.resolve("access.log")) > 0);
      assertThat(Files.readString(moved.resolve("access.log"))).contains(" /still pool=web ");
      assertThat(log.dropped()).isZero();
    } finally {
      log.close();
      ch.finishAndReleaseAll();
    }
  }
}
