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
    } catch (LockTimedOut e) {
      // A lock held by a transaction that waits on a member which has just left is released once
      // the new view is installed; that can outlast the lock timeout on a loaded machine. Nothing
      // of this transaction committed, so it is run once more, with fresh reads.
      log.debug(
          "grid write of {} timed out on a lock; retrying once: {}",
          String.join(",", ids),
          e.getCause().getMessage());
      try {
        return lockedOnce(body, ids);
      } catch (LockTimedOut again) {
        throw again.failure();
      }
    }
  }

  /**
   * Taking the locks timed out. Its cause is what the cache threw: the timeout itself when the lock
   * was local, a {@code RemoteException} around it when it was taken at another member.
   */
  static final class LockTimedOut extends RuntimeException {
    LockTimedOut(RuntimeException failure) {
      super(failure.getMessage(), failure, false, false);
    }

    RuntimeException failure() {
      return (RuntimeException) getCause();
    }
  }

  /** Whether {@code e} or one of its causes is Infinispan's timeout. */
  static boolean isTimeout(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof org.infinispan.commons.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  private <T> T lockedOnce(Supplier<T> body, String... ids) {
    String[] order = ids.clone();
    Arrays.sort(order);
    TransactionManager tm = sessions.getAdvancedCache().getTransactionManager();
    try {
      tm.begin();
      boolean committed = false;
      try {
        try {
          sessions.getAdvancedCache().lock(order);
        } catch (RuntimeException e) {
          if (isTimeout(e)) {
            throw new LockTimedOut(e);
          }
          throw e;
        }
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
