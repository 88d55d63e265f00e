package dev.tether.session.file;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A second app instance in its own JVM for {@link FileSessionStoreProcessTest}: writes {@code
 * count} attributes named {@code prefix + i} into session {@code id}, one delta each.
 */
public final class WriterProcess {

  private WriterProcess() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    String id = args[1];
    String prefix = args[2];
    int count = Integer.parseInt(args[3]);
    FileSessionStore store = new FileSessionStore(dir, Clock.systemUTC());
    for (int i = 0; i < count; i++) {
      long v = store.load(id).orElseThrow().version();
      SaveResult r =
          store.save(
              SessionDelta.builder(id, v)
                  .set(prefix + i, (prefix + i).getBytes(StandardCharsets.UTF_8))
                  .build());
      if (!r.isSaved()) {
        System.err.println("save " + i + " was " + r.outcome());
        System.exit(2);
      }
    }
    System.exit(0);
  }
}
