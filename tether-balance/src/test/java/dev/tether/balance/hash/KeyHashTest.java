package dev.tether.balance.hash;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyHashTest {

  @Test
  void valuesArePinnedSoThatEveryVersionAndProcessAgrees() {
    // Changing these values re-maps every key of every running balancer tier: never do it
    // silently. They were produced by this implementation and are checked on every build.
    assertThat(KeyHash.hash("")).isEqualTo(PINNED_EMPTY);
    assertThat(KeyHash.hash("203.0.113.7")).isEqualTo(PINNED_IP);
    assertThat(KeyHash.hash("/cart?item=42")).isEqualTo(PINNED_URI);
  }

  static final long PINNED_EMPTY = -1205034819632174695L;
  static final long PINNED_IP = -5830923218249919266L;
  static final long PINNED_URI = -8184116426379885975L;

  @Test
  void aOneCharacterChangeFlipsAboutHalfTheBits() {
    // Avalanche: the hashes of neighbouring keys differ in 32 of 64 bits on average (σ of one
    // comparison is 4, of the mean over 10 000 pairs 0.04; the tolerance is over ten σ).
    long total = 0;
    for (int i = 0; i < 10_000; i++) {
      total += Long.bitCount(KeyHash.hash("key-" + i) ^ KeyHash.hash("key-" + (i + 1)));
    }
    assertThat(total / 10_000.0).isBetween(31.5, 32.5);
  }

  @Test
  void mixGivesIndependentLookingValues() {
    long seed = KeyHash.hash("s1");
    assertThat(KeyHash.mix(seed, 0)).isNotEqualTo(KeyHash.mix(seed, 1));
    long total = 0;
    for (int i = 0; i < 10_000; i++) {
      total += Long.bitCount(KeyHash.mix(seed, i) ^ KeyHash.mix(seed, i + 1));
    }
    assertThat(total / 10_000.0).isBetween(31.5, 32.5);
  }
}
