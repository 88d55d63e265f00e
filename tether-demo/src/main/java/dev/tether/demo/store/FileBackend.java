package dev.tether.demo.store;

import dev.tether.demo.DemoSettings;
import dev.tether.demo.chat.FileChatBus;
import dev.tether.session.file.FileSessionStore;
import dev.tether.session.spi.SessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A directory the instances share: sessions in {@code sessions/}, the chat in {@code chat/}.
 * Without a directory in the settings, a temporary one, deleted on {@link #close}. A crash holds
 * nothing to let go of: files are complete or absent at every moment. The session store sits behind
 * a circuit breaker ({@link StoreBackend#guarded}), so a full disk answers 503.
 */
final class FileBackend implements StoreBackend {

  private final Clock clock;
  private final Path root;
  private final boolean ownDirectory;

  FileBackend(DemoSettings settings, Clock clock) {
    this.clock = clock;
    this.ownDirectory = settings.storeUri() == null;
    try {
      this.root =
          ownDirectory
              ? Files.createTempDirectory("tether-demo-")
              : Files.createDirectories(Path.of(settings.storeUri()));
    } catch (IOException e) {
      throw new UncheckedIOException("store file: cannot use directory " + settings.storeUri(), e);
    }
  }

  /** The shared directory. */
  Path root() {
    return root;
  }

  @Override
  public InstanceStore open(String instance) {
    SessionStore store =
        StoreBackend.guarded(new FileSessionStore(root.resolve("sessions"), clock), "file", clock);
    FileChatBus chat = new FileChatBus(root.resolve("chat"), instance);
    Runnable release =
        () -> {
          chat.close();
          store.close();
        };
    return new InstanceStore(store, chat, true, release, release);
  }

  @Override
  public void close() {
    if (!ownDirectory) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "store file: cannot delete the temporary directory " + root, e);
    }
  }
}
