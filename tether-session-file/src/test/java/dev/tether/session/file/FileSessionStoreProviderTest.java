package dev.tether.session.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSessionStoreProviderTest {

  @TempDir Path dir;

  @Test
  void fileAndMemoryStoresAreFoundByName() {
    assertThat(SessionStoreRegistry.providers()).containsKeys("memory", "file");
    try (SessionStore s =
        SessionStoreRegistry.create(
            "file", Map.of("directory", dir.toString()), Clock.systemUTC())) {
      assertThat(CircuitBreakingStore.unwrap(s)).isInstanceOf(FileSessionStore.class);
    }
    assertThat(Files.isDirectory(dir.resolve("sessions"))).isTrue();
  }

  @Test
  void badConfigurationSaysWhatIsAllowed() {
    assertThatThrownBy(() -> SessionStoreRegistry.create("file", Map.of(), Clock.systemUTC()))
        .hasMessageContaining("'directory'");
    assertThatThrownBy(
            () ->
                SessionStoreRegistry.create(
                    "file", Map.of("directory", "x", "dir", "y"), Clock.systemUTC()))
        .hasMessageContaining("[dir]")
        .hasMessageContaining("allowed: [directory]");
    assertThatThrownBy(() -> SessionStoreRegistry.create("mongo", Map.of(), Clock.systemUTC()))
        .hasMessageContaining("unknown session store 'mongo'")
        .hasMessageContaining("file")
        .hasMessageContaining("memory");
  }
}
