package dev.tether.session.memcached;

import com.spotify.folsom.BinaryMemcacheClient;
import com.spotify.folsom.GetResult;
import com.spotify.folsom.MemcacheStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Every key on two nodes of the {@link NodeRing}: its primary and its backup, as
 * memcached-session-manager keeps sessions.
 *
 * <p>Why it is safe: a value carries a header with a write sequence (grows by one per write of the
 * key), its TTL and the node it was written through (its origin). {@link #update} reads the value
 * with its CAS token on the first live node of the key's ring order, applies the caller's pure
 * function and writes with that CAS token ({@code add} when absent), so concurrent writers of one
 * key serialise on the primary; then it copies the value to the next live node, the backup, only if
 * the backup's sequence is lower. A backup already ahead by a write of the same origin holds a
 * later write that contains ours; one ahead by a write of another origin means another writer
 * treated the primary as down and wrote there: the function is then applied again on the backup as
 * primary and the result copied back, so neither write is lost. A write returns only once both
 * copies hold it, so losing one node loses no acknowledged write. A node is down when folsom has no
 * connection to it or a call to it failed within the last {@code retryMillis}; then the backup is
 * read and written as primary and the node after it becomes the new backup. When both of a key's
 * holders (the first two nodes of its ring order) are down, the key is unavailable ({@link
 * MemcachedUnavailableException}) rather than absent: nothing is read from or written to a node
 * that would not be consulted once they return. A primary that misses a key its backup holds (it
 * restarted empty), or an older copy (it was taken as down while writes went through the backup),
 * is repaired from the backup before a write, and a read returns the copy with the higher sequence,
 * so such a primary is never served or written on stale. Both copies are read at once, so this
 * costs a round trip of throughput, not of latency.
 *
 * <p>Thread-safe. Calls block the caller until Memcached answers or the timeout passes.
 */
final class Replicas implements AutoCloseable {

  private static final int HEADER = 16;
  private static final int MAX_ATTEMPTS = 32;
  private static final int MAX_CAS_MISSES = 10_000;

  /**
   * What {@link #update}'s function decides: write {@code payload} with {@code ttlSeconds}, or not.
   */
  record Step<R>(byte[] payload, int ttlSeconds, R result) {
    static <R> Step<R> write(byte[] payload, int ttlSeconds, R result) {
      return new Step<>(payload, ttlSeconds, result);
    }

    static <R> Step<R> none(R result) {
      return new Step<>(null, 0, result);
    }
  }

  private final NodeRing ring;
  private final List<BinaryMemcacheClient<byte[]>> clients;
  private final long timeoutMillis;
  private final long retryNanos;
  private final LongSupplier nanoTime;
  private final AtomicLongArray downUntil;

  Replicas(
      NodeRing ring,
      List<BinaryMemcacheClient<byte[]>> clients,
      long timeoutMillis,
      long retryMillis,
      LongSupplier nanoTime) {
    this.ring = ring;
    this.clients = List.copyOf(clients);
    this.timeoutMillis = timeoutMillis;
    this.retryNanos = TimeUnit.MILLISECONDS.toNanos(retryMillis);
    this.nanoTime = nanoTime;
    this.downUntil = new AtomicLongArray(clients.size());
  }

  /**
   * The payload stored under {@code key}, or {@code null}. Reads the primary and the backup at once
   * and returns the copy with the higher write sequence: a primary that was taken as down (by this
   * instance or another) while writes went through its backup holds an older copy until the next
   * write reconciles them, and must not be served then. A primary missing the key (it restarted
   * empty) is refilled from the backup; a backup that fails leaves the primary's copy.
   */
  byte[] read(String key) {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      int[] live = live(key);
      try {
        CompletionStage<byte[]> fromBackup = live.length > 1 ? clients.get(live[1]).get(key) : null;
        byte[] raw = await(live[0], clients.get(live[0]).get(key));
        byte[] backup = null;
        if (fromBackup != null) {
          try {
            backup = await(live[1], fromBackup);
          } catch (NodeDown e) {
            markDown(e.node); // the primary's copy is the newest one reachable
          }
        }
        if (raw == null && backup != null) {
          await(live[0], clients.get(live[0]).add(key, backup, ttl(backup)));
          raw = backup;
        } else if (raw != null && backup != null && sequence(backup) > sequence(raw)) {
          raw = backup;
        }
        return raw == null ? null : payload(raw);
      } catch (NodeDown e) {
        markDown(e.node);
      }
    }
    throw unreachable(key);
  }

  /**
   * Applies {@code fn} to the payload under {@code key} ({@code null} when absent) atomically, on
   * the primary and then the backup.
   */
  <R> R update(String key, Function<byte[], Step<R>> fn) {
    boolean swapped = false;
    int casMisses = 0;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      int[] live = live(key);
      if (swapped && live.length > 1) {
        int t = live[0];
        live[0] = live[1];
        live[1] = t;
      }
      int p = live[0];
      try {
        CompletionStage<byte[]> fromBackup = live.length > 1 ? clients.get(live[1]).get(key) : null;
        GetResult<byte[]> got = await(p, clients.get(p).casGet(key));
        byte[] raw = got == null ? null : got.getValue();
        byte[] backup = fromBackup == null ? null : await(live[1], fromBackup);
        if (backup != null && (raw == null || sequence(backup) > sequence(raw))) {
          // the backup holds a later write: the primary restarted empty, or writes went through the
          // backup while the primary was taken as down. Bring the primary up to date first, so
          // the function never runs on an older copy.
          if (raw == null) {
            await(p, clients.get(p).add(key, backup, ttl(backup)));
          } else {
            await(p, clients.get(p).set(key, backup, ttl(backup), got.getCas()));
          }
          continue;
        }
        Step<R> step = fn.apply(raw == null ? null : payload(raw));
        if (step.payload() == null) {
          return step.result();
        }
        byte[] next =
            encode(raw == null ? 1 : sequence(raw) + 1, step.ttlSeconds(), p, step.payload());
        MemcacheStatus s =
            raw == null
                ? await(p, clients.get(p).add(key, next, step.ttlSeconds()))
                : await(p, clients.get(p).set(key, next, step.ttlSeconds(), got.getCas()));
        if (s != MemcacheStatus.OK) {
          // another writer won the CAS: not a failure, so it does not use up an attempt
          if (++casMisses > MAX_CAS_MISSES) {
            break;
          }
          attempt--;
          backOff(casMisses);
          continue;
        }
        if (!replicate(key, next, live)) {
          swapped = !swapped;
          continue;
        }
        return step.result();
      } catch (NodeDown e) {
        markDown(e.node);
      }
    }
    throw new MemcachedUnavailableException(
        "memcached: could not write a key after "
            + MAX_ATTEMPTS
            + " attempts (contention or failing nodes)");
  }

  /** How many nodes are taken as up. */
  int nodesUp() {
    int n = 0;
    for (int i = 0; i < clients.size(); i++) {
      n += isUp(i) ? 1 : 0;
    }
    return n;
  }

  /** Whether node {@code i} (ring order of {@link NodeRing#nodes}) is taken as up. */
  boolean isUp(int i) {
    return clients.get(i).isConnected() && nanoTime.getAsLong() - downUntil.get(i) >= 0;
  }

  /** Copies {@code value} to the first live node after the primary; false when it is ahead. */
  private boolean replicate(String key, byte[] value, int[] live) {
    long seq = sequence(value);
    for (int k = 1; k < live.length; k++) {
      int b = live[k];
      try {
        while (true) {
          GetResult<byte[]> got = await(b, clients.get(b).casGet(key));
          MemcacheStatus s;
          if (got == null) {
            s = await(b, clients.get(b).add(key, value, ttl(value)));
          } else if (sequence(got.getValue()) < seq) {
            s = await(b, clients.get(b).set(key, value, ttl(value), got.getCas()));
          } else {
            // ahead: fine when it was written through the same primary after us (it contains our
            // write); a write through another node means a writer took our primary for down
            return origin(got.getValue()) == origin(value) || Arrays.equals(got.getValue(), value);
          }
          if (s == MemcacheStatus.OK) {
            return true;
          }
        }
      } catch (NodeDown e) {
        markDown(e.node);
      }
    }
    return true;
  }

  /**
   * The first two nodes of {@code key}'s ring order taken as up, primary first; at least one of
   * them is one of the key's two holders (the first two of its order). When both holders are
   * unreachable the key is unavailable: its copies are on them, and a copy written elsewhere would
   * not be found once they return, so nothing is read or written elsewhere.
   */
  private int[] live(String key) {
    int[] order = ring.order(key);
    int holders = Math.min(2, order.length);
    // judged on one snapshot: other threads mark nodes down meanwhile
    int[] up = up(order);
    if (!hasHolder(up, order, holders) && awaitConnection(order, holders)) {
      up = up(order);
    }
    if (!hasHolder(up, order, holders)) {
      throw unreachable(key);
    }
    return up;
  }

  /** Whether {@code up} has one of the first {@code holders} nodes of {@code order}. */
  private static boolean hasHolder(int[] up, int[] order, int holders) {
    for (int n : up) {
      for (int i = 0; i < holders; i++) {
        if (order[i] == n) {
          return true;
        }
      }
    }
    return false;
  }

  /** The first two nodes of {@code order} taken as up. */
  private int[] up(int[] order) {
    List<Integer> up = new ArrayList<>(2);
    for (int n : order) {
      if (isUp(n)) {
        up.add(n);
        if (up.size() == 2) {
          break;
        }
      }
    }
    return up.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Neither holder of a key is up, but one is only not connected (yet: a store just started, whose
   * connections are still being opened, or nodes folsom is reconnecting to), none of them having
   * failed a call lately: waits up to the timeout for the first of them in ring order, so a call
   * made while connections open does not fail at once as if every node were down.
   */
  private boolean awaitConnection(int[] order, int count) {
    for (int i = 0; i < count; i++) {
      int n = order[i];
      if (nanoTime.getAsLong() - downUntil.get(n) >= 0 && !clients.get(n).isConnected()) {
        try {
          clients.get(n).awaitConnected(timeoutMillis, TimeUnit.MILLISECONDS);
          return true;
        } catch (TimeoutException e) {
          markDown(n); // still not connected: skipped for the retry period like a failed node
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for memcached", e);
        }
      }
    }
    return false;
  }

  /**
   * Randomised back-off after a lost CAS, growing to at most ~1 ms, so racing writers spread out.
   */
  private static void backOff(int misses) {
    long cap = Math.min(1_000_000L, 20_000L * misses);
    java.util.concurrent.locks.LockSupport.parkNanos(
        java.util.concurrent.ThreadLocalRandom.current().nextLong(cap + 1));
  }

  private void markDown(int node) {
    downUntil.set(node, nanoTime.getAsLong() + retryNanos);
  }

  private MemcachedUnavailableException unreachable(String key) {
    return new MemcachedUnavailableException(
        "memcached: neither node holding a key is reachable (down, timing out or failing within the"
            + " last "
            + TimeUnit.NANOSECONDS.toMillis(retryNanos)
            + " ms; "
            + nodesUp()
            + " of "
            + ring.nodes().size()
            + " nodes up)");
  }

  private <T> T await(int node, CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for memcached", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new NodeDown(node, e);
    }
  }

  static byte[] encode(long sequence, int ttlSeconds, int origin, byte[] payload) {
    return ByteBuffer.allocate(HEADER + payload.length)
        .putLong(sequence)
        .putInt(ttlSeconds)
        .putInt(origin)
        .put(payload)
        .array();
  }

  private static int origin(byte[] raw) {
    return ByteBuffer.wrap(raw).getInt(12);
  }

  static long sequence(byte[] raw) {
    return ByteBuffer.wrap(raw).getLong(0);
  }

  private static int ttl(byte[] raw) {
    return ByteBuffer.wrap(raw).getInt(8);
  }

  private static byte[] payload(byte[] raw) {
    if (raw.length < HEADER) {
      throw new IllegalStateException(
          "memcached: a value of " + raw.length + " bytes has no header");
    }
    return Arrays.copyOfRange(raw, HEADER, raw.length);
  }

  @Override
  public void close() {
    clients.forEach(BinaryMemcacheClient::shutdown);
  }

  private static final class NodeDown extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int node;

    NodeDown(int node, Throwable cause) {
      super(cause);
      this.node = node;
    }
  }
}
