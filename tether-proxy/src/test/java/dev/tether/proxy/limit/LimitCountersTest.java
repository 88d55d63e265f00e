package dev.tether.proxy.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class LimitCountersTest {

  @Test
  void eachReasonIsOneCounterTaggedWithItsReason() {
    LimitCounters counters = new LimitCounters();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    counters.bind(registry);

    counters.increment(LimitCounters.Reason.SLOW_READ);
    counters.increment(LimitCounters.Reason.SLOW_READ);
    counters.increment(LimitCounters.Reason.CONNECTIONS_PER_CLIENT);

    assertThat(registry.find("tether.client.limited").functionCounters())
        .hasSize(LimitCounters.Reason.values().length);
    assertThat(
            registry
                .get("tether.client.limited")
                .tag("reason", "slow-read")
                .functionCounter()
                .count())
        .isEqualTo(2.0);
    assertThat(
            registry
                .get("tether.client.limited")
                .tag("reason", "connections-per-client")
                .functionCounter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            registry
                .get("tether.client.limited")
                .tag("reason", "header-count")
                .functionCounter()
                .count())
        .isZero();
  }
}
