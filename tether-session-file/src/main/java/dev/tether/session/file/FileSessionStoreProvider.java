package dev.tether.session.file;

import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreProvider;
import dev.tether.session.spi.SessionStoreRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/** {@code file}: setting {@code directory} (required), the shared directory to keep sessions in. */
public final class FileSessionStoreProvider implements SessionStoreProvider {

  @Override
  public String name() {
    return "file";
  }

  @Override
  public SessionStore create(Map<String, String> settings, Clock clock) {
    SessionStoreRegistry.requireKnownSettings(name(), settings, Set.of("directory"));
    String dir = settings.get("directory");
    if (dir == null || dir.isBlank()) {
      throw new IllegalArgumentException(
          "session store 'file' needs the setting 'directory': a directory every app instance"
              + " mounts");
    }
    return new FileSessionStore(Path.of(dir), clock);
  }
}
