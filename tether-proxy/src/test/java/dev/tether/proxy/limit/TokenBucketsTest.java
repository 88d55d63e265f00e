package dev.tether.proxy.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketsTest {

  private final AtomicLong now = new AtomicLong(1_000);

  @Test
  void aNewKeyHasItsBurstThenWaitsForTheRefill() {
    TokenBuckets b = new TokenBuckets(2, 3, 100, now::get);

    assertThat(b.take("a")).isZero();
    assertThat(b.take("a")).isZero();
    assertThat(b.take("a")).isZero();
    long wait = b.take("a");

    assertThat(wait)
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(500)); // 2 per second: one every 500 ms
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(499));
    assertThat(b.take("a")).isPositive();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(b.take("a")).isZero();
  }

  @Test
  void keysHaveBucketsOfTheirOwn() {
    TokenBuckets b = new TokenBuckets(1, 1, 100, now::get);

    assertThat(b.take("a")).isZero();
    assertThat(b.take("a")).isPositive();
    assertThat(b.take("b")).isZero();
  }

  @Test
  void aBucketNeverHoldsMoreThanItsBurst() {
    TokenBuckets b = new TokenBuckets(10, 2, 100, now::get);
    b.take("a");
    now.addAndGet(TimeUnit.HOURS.toNanos(1));

    assertThat(b.take("a")).isZero();
    assertThat(b.take("a")).isZero();
    assertThat(b.take("a")).isPositive();
  }

  @Test
  void theSustainedRateIsTheConfiguredOne() {
    TokenBuckets b = new TokenBuckets(100, 10, 100, now::get);
    int passed = 0;
    for (int ms = 0; ms < 10_000; ms++) { // 10 s, one try per millisecond
      if (b.take("a") == 0) {
        passed++;
      }
      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    }
    assertThat(passed).isBetween(1000, 1010); // 100/s over 10 s, plus the first burst
  }

  @Test
  void idleBucketsAreForgottenAndTheirNumberIsBounded() {
    TokenBuckets b = new TokenBuckets(1, 5, 3, now::get);
    for (int i = 0; i < 10; i++) {
      b.take("k" + i);
    }
    assertThat(b.size()).isLessThanOrEqualTo(3);

    now.addAndGet(TimeUnit.SECONDS.toNanos(6)); // 5 tokens at 1/s: full again after 5 s
    assertThat(b.size()).isZero();
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new TokenBuckets(0, 1, 1, now::get))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBuckets(1, 0, 1, now::get))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
