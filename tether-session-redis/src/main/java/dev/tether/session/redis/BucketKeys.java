package dev.tether.session.redis;

import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;

/**
 * Key layout of the store. Every key carries the hash tag of its <em>bucket</em>, so one session's
 * hash, its tombstone, its bucket's expiry sorted set and its principal index entry all live in one
 * Redis Cluster slot and one script may touch them all.
 *
 * <pre>
 * {prefix}s:{tag}:{id}          hash: session meta and attributes
 * {prefix}t:{tag}:{id}          string: tombstone (logical end in ms), relative PX
 * {prefix}x:{tag}               sorted set: id by expiry ms (one per bucket)
 * {prefix}p:{tag}:{principal}   set: ids of the principal in this bucket
 * </pre>
 *
 * <p>Design: a hash tag of {@code {id}} would spread sessions over all 16384 slots but then no
 * script could update a shared expiry index or principal set in the same call on Cluster. A fixed
 * number of buckets (1 on a single server, more on Cluster) keeps a session and its index entries
 * together; a sweep or a principal look-up visits each bucket once. Bucket tags are chosen so the
 * buckets' slots are spread evenly over the slot range, so {@code redis-cli --cluster create}'s
 * contiguous slot ranges give every master the same share. The bucket of an id is its CRC16 slot
 * modulo the bucket count: every instance sharing the data must use the same prefix and count.
 */
final class BucketKeys {

  /** The most buckets a store may use: one per Cluster slot. */
  static final int MAX_BUCKETS = SlotHash.SLOT_COUNT;

  private final String prefix;
  private final String[] tags;

  BucketKeys(String prefix, int buckets) {
    if (buckets < 1 || buckets > MAX_BUCKETS) {
      throw new IllegalArgumentException("bucket count " + buckets + " must be 1.." + MAX_BUCKETS);
    }
    if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
      throw new IllegalArgumentException(
          "key prefix '" + prefix + "' must not contain '{' or '}' (they are Redis hash tags)");
    }
    this.prefix = prefix;
    this.tags = tagsSpreadOverSlots(buckets);
  }

  int buckets() {
    return tags.length;
  }

  int bucketOf(String id) {
    return SlotHash.getSlot(id.getBytes(StandardCharsets.US_ASCII)) % tags.length;
  }

  String tag(int bucket) {
    return tags[bucket];
  }

  byte[] session(String id) {
    return bytes(sessionPrefix(bucketOf(id)) + id);
  }

  byte[] tombstone(String id) {
    return bytes(prefix + "t:{" + tags[bucketOf(id)] + "}:" + id);
  }

  byte[] expiry(int bucket) {
    return bytes(prefix + "x:{" + tags[bucket] + "}");
  }

  String sessionPrefix(int bucket) {
    return prefix + "s:{" + tags[bucket] + "}:";
  }

  String principalPrefix(int bucket) {
    return prefix + "p:{" + tags[bucket] + "}:";
  }

  byte[] principal(int bucket, String principal) {
    return bytes(principalPrefix(bucket) + principal);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * For bucket {@code b} of {@code n}, the shortest base-36 counter whose slot is the middle of the
   * {@code b}-th of {@code n} equal slot ranges. Deterministic, so every instance derives the same
   * tags; a scan of a few hundred thousand CRC16s at most.
   */
  private static String[] tagsSpreadOverSlots(int n) {
    int slots = SlotHash.SLOT_COUNT;
    int[] wanted = new int[slots];
    java.util.Arrays.fill(wanted, -1);
    for (int b = 0; b < n; b++) {
      wanted[(int) (((2L * b + 1) * slots) / (2L * n))] = b;
    }
    String[] tags = new String[n];
    int found = 0;
    for (long k = 0; found < n; k++) {
      String candidate = Long.toString(k, 36);
      int b = wanted[SlotHash.getSlot(candidate.getBytes(StandardCharsets.US_ASCII))];
      if (b >= 0 && tags[b] == null) {
        tags[b] = candidate;
        found++;
      }
    }
    return tags;
  }
}
