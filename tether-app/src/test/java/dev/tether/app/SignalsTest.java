package dev.tether.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SignalsTest {

  /** SIGUSR1 runs the reopen action (logrotate's postrotate {@code kill -USR1}). */
  @Test
  @SuppressWarnings("restriction")
  void userSignal1RunsTheAction() throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    Signals.onUserSignal1(ran::countDown);
    sun.misc.Signal.raise(new sun.misc.Signal("USR1")); // standard signals coalesce: raise once
    assertThat(ran.await(10, TimeUnit.SECONDS)).as("the signal was handled").isTrue();
  }
}
