package dev.tether.session.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writer locks for a session directory: a fixed set of stripes, each a lock file that is never
 * deleted (deleting a lock file others wait on breaks locking). A stripe is held with a JVM-wide
 * {@link ReentrantLock} (file locks are per process, so threads of one JVM must be serialised
 * first) and then an OS file lock, which other processes on the shared file system honour. Readers
 * never take these locks. Lock state is static per lock file path so that several store instances
 * over one directory in one JVM share it.
 */
final class StripeLocks {

  static final int STRIPES = 64;

  private static final class Stripe {
    final ReentrantLock jvm = new ReentrantLock();
    FileChannel channel;
  }

  private static final ConcurrentHashMap<Path, Stripe> STRIPES_BY_PATH = new ConcurrentHashMap<>();

  private final Path dir;

  /** Locks in {@code dir}, which must exist; resolved to its real path so aliases share locks. */
  StripeLocks(Path dir) {
    try {
      this.dir = dir.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve the session lock directory " + dir, e);
    }
  }

  static int stripeOf(String id) {
    return Math.floorMod(id.hashCode(), STRIPES);
  }

  /** A held stripe; close releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** Locks the stripes of {@code ids} in ascending order (no deadlock between two rotations). */
  Held lock(String... ids) {
    int[] stripes =
        java.util.Arrays.stream(ids).mapToInt(StripeLocks::stripeOf).distinct().sorted().toArray();
    Held[] held = new Held[stripes.length];
    int n = 0;
    try {
      for (int s : stripes) {
        held[n] = lockStripe(s);
        n++;
      }
    } catch (RuntimeException e) {
      for (int i = n - 1; i >= 0; i--) {
        held[i].close();
      }
      throw e;
    }
    int count = n;
    return () -> {
      for (int i = count - 1; i >= 0; i--) {
        held[i].close();
      }
    };
  }

  private Held lockStripe(int index) {
    Path file = dir.resolve(String.format("%02d.lock", index));
    Stripe stripe = STRIPES_BY_PATH.computeIfAbsent(file, f -> new Stripe());
    stripe.jvm.lock();
    try {
      if (stripe.channel == null || !stripe.channel.isOpen()) {
        stripe.channel =
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      }
      FileLock lock = stripe.channel.lock();
      return () -> {
        try {
          lock.release();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot release session lock file " + file, e);
        } finally {
          stripe.jvm.unlock();
        }
      };
    } catch (IOException e) {
      stripe.jvm.unlock();
      throw new UncheckedIOException("cannot lock session lock file " + file, e);
    } catch (RuntimeException e) {
      stripe.jvm.unlock();
      throw e;
    }
  }
}
