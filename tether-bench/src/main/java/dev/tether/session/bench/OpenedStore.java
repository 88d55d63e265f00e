package dev.tether.session.bench;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SessionStore;

/**
 * A store ready to measure, with what is needed to count its Redis commands (if it is Redis) and to
 * remove what the run left behind (tables, keys, files, grid members).
 *
 * @param target which store
 * @param detail one line saying what exactly runs (server, members, directory kind)
 * @param store the store, as built by its provider
 * @param redis the command counter when {@code target} is Redis, else {@code null}
 * @param cleanup run after the store is closed
 */
public record OpenedStore(
    StoreTarget target,
    String detail,
    SessionStore store,
    RedisCommandCounter redis,
    AutoCloseable cleanup)
    implements AutoCloseable {

  public OpenedStore {
    requireNonNull(target, "target");
    requireNonNull(detail, "detail");
    requireNonNull(store, "store");
    requireNonNull(cleanup, "cleanup");
  }

  /** Closes the store, cleans up, then closes the counter, each even if an earlier step failed. */
  @Override
  public void close() throws Exception {
    try {
      store.close();
    } finally {
      try {
        cleanup.close();
      } finally {
        if (redis != null) {
          redis.close();
        }
      }
    }
  }
}
