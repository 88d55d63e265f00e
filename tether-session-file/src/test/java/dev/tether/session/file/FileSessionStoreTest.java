package dev.tether.session.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file store against the shared contract; peers are separate instances over one directory. */
class FileSessionStoreTest extends SessionStoreContract {

  @TempDir Path dir;

  @Override
  protected SessionStore createStore(Clock clock) {
    return new FileSessionStore(dir, clock);
  }

  @Test
  void writesLeaveNoTemporaryFilesBehind() throws IOException {
    String id = create(Map.of("a", bytes("1")));
    store.delete(id);
    create(Map.of());

    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp"));
    }
  }

  @Test
  void aCorruptFileIsReportedWithoutTheId() throws IOException {
    String id = create(Map.of());
    damagesOnPurpose(id);
    Files.write(dir.resolve("sessions").resolve(id), new byte[] {1, 2, 3});

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.load(id))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("corrupt")
        .hasMessageNotContaining(id);
  }

  @Test
  void fileRoundTripsPrincipalAndAttributeVersions() {
    String id = newId();
    SessionRecord r =
        SessionRecord.create(
            id, clock.instant(), IDLE, ABSOLUTE, "ünï cödé", Map.of("k", bytes("v")));
    store.create(r);
    assertThat(store.load(id)).contains(r);
  }
}
