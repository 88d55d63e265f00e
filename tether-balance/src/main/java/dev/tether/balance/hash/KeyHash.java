package dev.tether.balance.hash;

/**
 * The fixed 64-bit hash behind every hash table in Tether: the same key gives the same value in
 * every JVM, process and version, so that several balancer instances agree on where a key goes.
 * ({@link String#hashCode()} is only 32 bits and too weak to place virtual nodes.)
 *
 * <p>Design note: the rounds and the final avalanche are xxHash64's (Collet, xxHash specification),
 * applied to the key's UTF-16 code units, four per 64-bit word, so hashing a {@code String} needs
 * no byte encoding and allocates nothing. It is therefore not byte-compatible with xxHash64 over
 * UTF-8; it is its own fixed function, pinned by a test. {@link #mix} derives further independent
 * values from one hash (SplitMix64, Steele et al. 2014) for virtual nodes and Maglev permutations.
 *
 * <pre>{@code
 * long h = KeyHash.hash("203.0.113.7");
 * }</pre>
 */
public final class KeyHash {

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private KeyHash() {}

  /** The 64-bit hash of {@code key}'s characters. */
  public static long hash(CharSequence key) {
    int len = key.length();
    long h = P5 + 2L * len;
    int i = 0;
    for (; i + 4 <= len; i += 4) {
      long k =
          key.charAt(i)
              | (long) key.charAt(i + 1) << 16
              | (long) key.charAt(i + 2) << 32
              | (long) key.charAt(i + 3) << 48;
      k *= P2;
      k = Long.rotateLeft(k, 31);
      k *= P1;
      h ^= k;
      h = Long.rotateLeft(h, 27) * P1 + P4;
    }
    for (; i < len; i++) {
      h ^= key.charAt(i) * P5;
      h = Long.rotateLeft(h, 11) * P1;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  /** The {@code index}-th value of the SplitMix64 stream seeded by {@code seed}. */
  public static long mix(long seed, long index) {
    long z = seed + (index + 1) * GOLDEN;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
