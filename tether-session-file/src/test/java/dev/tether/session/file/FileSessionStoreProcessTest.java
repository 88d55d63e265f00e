package dev.tether.session.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two JVMs writing one session through one directory: the OS file locks keep every write. */
class FileSessionStoreProcessTest {

  @TempDir Path dir;

  @Test
  void writersInTwoProcessesLoseNothing() throws Exception {
    FileSessionStore store = new FileSessionStore(dir, Clock.systemUTC());
    String id = "shared-session-for-two-processes";
    store.create(
        SessionRecord.create(
            id,
            Clock.systemUTC().instant(),
            Duration.ofMinutes(30),
            Duration.ofHours(1),
            null,
            Map.of()));
    int count = 500;
    Process other =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                WriterProcess.class.getName(),
                dir.toString(),
                id,
                "child",
                Integer.toString(count))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .redirectOutput(new File(dir.toFile(), "child.out"))
            .start();
    try {
      // start once the child is writing, so the two processes contend for the same session
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> store.load(id).orElseThrow().attributes().containsKey("child0"));
      for (int i = 0; i < count; i++) {
        long v = store.load(id).orElseThrow().version();
        String name = "parent" + i;
        assertThat(
                store
                    .save(
                        SessionDelta.builder(id, v)
                            .set(name, name.getBytes(StandardCharsets.UTF_8))
                            .build())
                    .isSaved())
            .isTrue();
      }
      assertThat(other.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
      assertThat(other.exitValue()).isZero();
    } finally {
      other.destroyForcibly();
    }

    SessionRecord r = store.load(id).orElseThrow();
    assertThat(r.attributes()).hasSize(2 * count);
    assertThat(r.version()).isEqualTo(1 + 2L * count);
  }
}
