package dev.tether.balance.hash;

import dev.tether.balance.Member;

/**
 * A Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, §3.4): a prime number M of slots, filled by the members in turn, each
 * taking the next free slot of its own permutation {@code (offset + j × skip) mod M}.
 *
 * <p>Design note: M is the smallest prime ≥ max(65 537, 100 × servers): the paper's M ≥ 100·N keeps
 * every server's share within ~1% of its target, and 65 537 is Envoy's default size. Offset and
 * skip derive from the server name only, so any list order yields the same table and removing one
 * of N servers moves little more than its own 1/N. Weights: each round a member earns {@code
 * weight} credits and fills one slot per {@code max weight} credits (integer arithmetic,
 * deterministic on every JVM). Lookup is one multiply-high (Lemire's "fastrange") and one array
 * read.
 */
final class MaglevTable implements HashTable {

  static final int MIN_SIZE = 65_537;
  private static final long OFFSET_SEED = 0x6D61676C65764F66L;
  private static final long SKIP_SEED = 0x6D61676C65765368L;

  private final int[] table;

  private MaglevTable(int[] table) {
    this.table = table;
  }

  /** The table size for {@code servers} servers. */
  static int sizeFor(int servers) {
    return nextPrime(Math.max(MIN_SIZE, 100L * servers));
  }

  /** Builds the table over {@code members}, which must be sorted by name. */
  static MaglevTable build(Member[] members) {
    int n = members.length;
    int size = sizeFor(n);
    int[] table = new int[size];
    // Probes test a bitset (12.5 KB for 100 003 slots, fits in L1) rather than the 400 KB table:
    // filling takes about M ln M probes, so their cost decides the build time.
    long[] used = new long[(size + 63) >>> 6];
    int[] cursor = new int[n];
    int[] skip = new int[n];
    long[] credit = new long[n];
    long[] weight = new long[n];
    long maxWeight = 0;
    for (int i = 0; i < n; i++) {
      long h = KeyHash.hash(members[i].name());
      cursor[i] = (int) Long.remainderUnsigned(KeyHash.mix(h, OFFSET_SEED), size);
      skip[i] = (int) Long.remainderUnsigned(KeyHash.mix(h, SKIP_SEED), size - 1) + 1;
      weight[i] = members[i].weight();
      maxWeight = Math.max(maxWeight, weight[i]);
    }
    int filled = 0;
    while (true) {
      for (int i = 0; i < n; i++) {
        credit[i] += weight[i];
        while (credit[i] >= maxWeight) {
          credit[i] -= maxWeight;
          int c = cursor[i];
          int step = skip[i];
          while ((used[c >>> 6] & (1L << c)) != 0) {
            c = advance(c, step, size);
          }
          used[c >>> 6] |= 1L << c;
          table[c] = i;
          cursor[i] = advance(c, step, size);
          if (++filled == size) {
            return new MaglevTable(table);
          }
        }
      }
    }
  }

  /**
   * {@code (c + step) mod size} for {@code c, step < size < 2^31}, without overflow or division.
   */
  private static int advance(int c, int step, int size) {
    int next = c - (size - step);
    return next >= 0 ? next : next + size;
  }

  @Override
  public int slots() {
    return table.length;
  }

  @Override
  public int start(long hash) {
    return (int) Math.unsignedMultiplyHigh(hash, table.length);
  }

  @Override
  public int owner(int slot) {
    return table[slot];
  }

  static int nextPrime(long atLeast) {
    long p = Math.max(2, atLeast);
    while (!isPrime(p)) {
      p++;
    }
    if (p > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a Maglev table of " + p + " slots is too large");
    }
    return (int) p;
  }

  private static boolean isPrime(long p) {
    if (p < 4) {
      return p >= 2;
    }
    if (p % 2 == 0) {
      return false;
    }
    for (long d = 3; d * d <= p; d += 2) {
      if (p % d == 0) {
        return false;
      }
    }
    return true;
  }
}
