package dev.tether.balance.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RingTableTest {

  @Test
  void radixSortAgreesWithArraysSortIncludingNegativesAndExtremes() {
    SplittableRandom random = new SplittableRandom(4);
    long[] values = new long[50_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextLong();
    }
    values[0] = Long.MIN_VALUE;
    values[1] = Long.MAX_VALUE;
    values[2] = 0;
    values[3] = -1;
    long[] expected = values.clone();
    Arrays.sort(expected);
    assertThat(RingTable.sort(values.clone())).containsExactly(expected);
  }
}
