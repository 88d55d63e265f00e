package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {

  private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
  private final AuthThrottle throttle = new AuthThrottle(now::get);

  @Test
  void fiveFailuresAreFreeThenTheLockOutDoubles() {
    for (int i = 1; i <= AuthThrottle.FREE_FAILURES; i++) {
      assertThat(throttle.failed("10.0.0.1")).isEqualTo(i);
      assertThat(throttle.waitSeconds("10.0.0.1")).isZero();
    }
    throttle.failed("10.0.0.1");
    assertThat(throttle.waitSeconds("10.0.0.1")).isEqualTo(1);
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertThat(throttle.waitSeconds("10.0.0.1")).isZero();
    throttle.failed("10.0.0.1");
    assertThat(throttle.waitSeconds("10.0.0.1")).isEqualTo(2);
    now.addAndGet(TimeUnit.SECONDS.toNanos(2));
    throttle.failed("10.0.0.1");
    assertThat(throttle.waitSeconds("10.0.0.1")).isEqualTo(4);
    assertThat(throttle.waitSeconds("10.0.0.2")).isZero(); // per address
  }

  @Test
  void theLockOutIsCapped() {
    for (int i = 0; i < 60; i++) {
      throttle.failed("10.0.0.1");
    }
    assertThat(throttle.waitSeconds("10.0.0.1")).isEqualTo(AuthThrottle.MAX_LOCK_SECONDS);
  }

  @Test
  void aSuccessOrTenQuietMinutesForgetTheFailures() {
    for (int i = 0; i < 7; i++) {
      throttle.failed("10.0.0.1");
    }
    throttle.succeeded("10.0.0.1");
    assertThat(throttle.waitSeconds("10.0.0.1")).isZero();
    assertThat(throttle.failed("10.0.0.1")).isEqualTo(1);

    for (int i = 0; i < 4; i++) {
      throttle.failed("10.0.0.3");
    }
    now.addAndGet(TimeUnit.MINUTES.toNanos(11));
    assertThat(throttle.failed("10.0.0.3")).isEqualTo(1);
  }

  @Test
  void manyAddressesDoNotGrowItWithoutBound() {
    for (int i = 0; i < AuthThrottle.MAX_ADDRESSES + 10; i++) {
      throttle.failed("a" + i);
    }
    assertThat(throttle.failed("fresh")).isEqualTo(1);
  }
}
