package dev.tether.session.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.cluster.SlotHash;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The key layout, socket-free: one slot per session and its index entries, buckets spread. */
class BucketKeysTest {

  @Test
  void allKeysOfOneSessionShareOneHashSlot() {
    BucketKeys keys = new BucketKeys("app:", 16);
    for (int i = 0; i < 1000; i++) {
      String id = "id" + i;
      int b = keys.bucketOf(id);
      int slot = SlotHash.getSlot(keys.session(id));
      assertThat(SlotHash.getSlot(keys.tombstone(id))).isEqualTo(slot);
      assertThat(SlotHash.getSlot(keys.expiry(b))).isEqualTo(slot);
      assertThat(SlotHash.getSlot(keys.principal(b, "Zoë {x} }{"))).isEqualTo(slot);
    }
  }

  @Test
  void bucketsSitMidwayInEqualSlotRanges() {
    BucketKeys four = new BucketKeys("p:", 4);
    for (int b = 0; b < 4; b++) {
      assertThat(SlotHash.getSlot(four.expiry(b))).isEqualTo(2048 + 4096 * b);
    }
    BucketKeys all = new BucketKeys("p:", BucketKeys.MAX_BUCKETS);
    Set<Integer> slots = new HashSet<>();
    for (int b = 0; b < BucketKeys.MAX_BUCKETS; b++) {
      slots.add(SlotHash.getSlot(all.expiry(b)));
    }
    assertThat(slots).as("one bucket per slot").hasSize(SlotHash.SLOT_COUNT);
  }

  @Test
  void idsSpreadOverBuckets() {
    BucketKeys keys = new BucketKeys("p:", 8);
    int[] counts = new int[8];
    for (int i = 0; i < 8000; i++) {
      counts[keys.bucketOf("session-" + i)]++;
    }
    // CRC16 mod 16384 mod 8 is close to uniform: 1000 per bucket, sigma = sqrt(8000/8*7/8) ~ 30
    for (int c : counts) {
      assertThat(c).isBetween(850, 1150);
    }
  }

  @Test
  void prefixWithHashTagCharactersIsRefused() {
    assertThatThrownBy(() -> new BucketKeys("a{b", 1)).hasMessageContaining("'{' or '}'");
    assertThatThrownBy(() -> new BucketKeys("a", 0)).hasMessageContaining("1..16384");
  }
}
