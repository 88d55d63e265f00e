package dev.tether.session.grid;

import jakarta.transaction.TransactionManager;
import java.util.Arrays;
import java.util.function.Supplier;
import org.infinispan.Cache;

/**
 * The grid store's writes that must see and change several entries at once (a save, a rotation, a
 * delete): each runs in a pessimistic transaction of the sessions cache holding the locks of the
 * ids it touches.
 */
final class LockedWrites {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(GridSessionStore.class);

  private final Cache<String, byte[]> sessions;

  LockedWrites(Cache<String, byte[]> sessions) {
    this.sessions = sessions;
  }

  /**
   * Runs {@code body} in a pessimistic transaction holding the grid locks of {@code ids} (taken in
   * sorted order, so two rotations never deadlock), committing what it wrote.
   */
  <T> T locked(Supplier<T> body, String... ids) {
    try {
      return lockedOnce(body, ids);
    } catch (org.infinispan.commons.TimeoutException e) {
      // A lock held by a transaction that waits on a member which has just left is released once
      // the new view is installed; that can outlast the lock timeout on a loaded machine. Nothing
      // of this transaction committed, so it is run once more, with fresh reads.
      log.debug(
          "grid write of {} timed out on a lock; retrying once: {}",
          String.join(",", ids),
          e.getMessage());
      return lockedOnce(body, ids);
    }
  }

  private <T> T lockedOnce(Supplier<T> body, String... ids) {
    String[] order = ids.clone();
    Arrays.sort(order);
    TransactionManager tm = sessions.getAdvancedCache().getTransactionManager();
    try {
      tm.begin();
      boolean committed = false;
      try {
        sessions.getAdvancedCache().lock(order);
        T result = body.get();
        tm.commit();
        committed = true;
        return result;
      } finally {
        if (!committed && tm.getTransaction() != null) {
          tm.rollback();
        }
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("a grid session write did not commit", e);
    }
  }
}
