package dev.tether.proxy.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.ServerState;
import dev.tether.proxy.analytics.PoolSignals;
import dev.tether.proxy.config.AlertRuleConfig;
import dev.tether.proxy.config.AlertRuleConfig.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every kind fires after {@code for:} and resolves, exactly once each, on a fake clock. */
class AlertEvaluatorTest {

  private Instant now = Instant.parse("2026-12-02T19:30:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  /** Signals a test sets by hand. */
  static final class FakeSignals implements PoolSignals {
    double currentBirths = Double.NaN;
    double averageBirths = Double.NaN;
    double imbalance = Double.NaN;
    double errorShare = Double.NaN;
    final Map<String, ServerState> states = new LinkedHashMap<>(Map.of("s1", ServerState.UP));
    final Map<String, Double> sizes = new LinkedHashMap<>();

    @Override
    public String pool() {
      return "web";
    }

    @Override
    public double birthRate(Duration window) {
      return window.equals(Duration.ofMinutes(1)) ? currentBirths : averageBirths;
    }

    @Override
    public double imbalance() {
      return imbalance;
    }

    @Override
    public double errorShare(Duration window) {
      return errorShare;
    }

    @Override
    public Map<String, ServerState> states() {
      return states;
    }

    @Override
    public Map<String, Double> sessionSizeP99() {
      return sizes;
    }
  }

  private final FakeSignals web = new FakeSignals();
  private final List<String> events = new ArrayList<>();
  private final AlertNotifier recorder =
      new AlertNotifier() {
        @Override
        public void fired(Alert alert, Instant at) {
          events.add(
              "fired "
                  + alert.name()
                  + " "
                  + alert.server()
                  + " at "
                  + at
                  + ": "
                  + alert.message());
        }

        @Override
        public void resolved(Alert alert, Instant at) {
          events.add("resolved " + alert.name() + " " + alert.server() + " at " + at);
        }
      };
  private final AlertEvaluator evaluator = new AlertEvaluator(clock, () -> List.of(web), recorder);

  private void rule(Kind kind, double threshold, Duration window) {
    evaluator.rules(
        List.of(new AlertRuleConfig("r", kind, null, threshold, window, Duration.ofSeconds(30))),
        recorder);
  }

  /** Evaluates every 10 seconds for {@code seconds}. */
  private void run(int seconds) {
    for (int i = 0; i < seconds; i += 10) {
      now = now.plusSeconds(10);
      evaluator.evaluate();
    }
  }

  private void firesAfterForAndResolvesOnce(Runnable breach, Runnable heal, String server) {
    evaluator.evaluate();
    breach.run();
    run(30); // seen at 10 s, held 0, 10 and 20 s: still pending
    assertThat(events).isEmpty();
    assertThat(evaluator.active()).isEmpty();
    run(10); // held 30 s
    assertThat(events).hasSize(1);
    assertThat(events.getFirst()).startsWith("fired r " + server + " at 2026-12-02T19:30:40Z");
    run(60);
    assertThat(events).hasSize(1);
    assertThat(evaluator.active())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.since()).isEqualTo(Instant.parse("2026-12-02T19:30:10Z"));
              assertThat(a.pool()).isEqualTo("web");
              assertThat(a.server()).isEqualTo(server);
            });
    heal.run();
    run(10);
    run(60);
    assertThat(events).hasSize(2);
    assertThat(events.get(1)).isEqualTo("resolved r " + server + " at 2026-12-02T19:31:50Z");
    assertThat(evaluator.active()).isEmpty();
  }

  @Test
  void spreadImbalance() {
    rule(Kind.SPREAD_IMBALANCE, 2.0, Duration.ZERO);
    web.imbalance = 1.2;
    firesAfterForAndResolvesOnce(() -> web.imbalance = 3.1, () -> web.imbalance = 1.5, null);
    assertThat(events.getFirst())
        .endsWith("pool web: live sessions max/mean 3.10 above 2.0 for 30s");
  }

  @Test
  void serverDown() {
    rule(Kind.SERVER_DOWN, 0, Duration.ZERO);
    web.states.put("s2", ServerState.UP);
    firesAfterForAndResolvesOnce(
        () -> web.states.put("s2", ServerState.DOWN),
        () -> web.states.put("s2", ServerState.UP),
        "s2");
    assertThat(events.getFirst()).endsWith("pool web: server s2 is DOWN for 30s");
  }

  @Test
  void errorRate() {
    rule(Kind.ERROR_RATE, 0.05, Duration.ofMinutes(1));
    web.errorShare = 0.01;
    firesAfterForAndResolvesOnce(() -> web.errorShare = 0.2, () -> web.errorShare = 0.0, null);
  }

  @Test
  void birthRateSpike() {
    rule(Kind.BIRTH_RATE_SPIKE, 3, Duration.ofMinutes(10));
    web.currentBirths = 2;
    web.averageBirths = 2;
    firesAfterForAndResolvesOnce(() -> web.currentBirths = 10, () -> web.currentBirths = 3, null);
    assertThat(events.getFirst())
        .contains("birth rate 10.0/s is 5.0 x its 10m average 2.0/s, above 3.0");
  }

  @Test
  void sessionSize() {
    rule(Kind.SESSION_SIZE, 64 * 1024, Duration.ZERO);
    web.sizes.put("s1", 1000.0);
    firesAfterForAndResolvesOnce(
        () -> web.sizes.put("s1", 100_000.0), () -> web.sizes.put("s1", 2000.0), "s1");
  }

  @Test
  void aConditionShorterThanForLeavesNoTrace() {
    rule(Kind.SPREAD_IMBALANCE, 2.0, Duration.ZERO);
    web.imbalance = 3;
    run(20);
    web.imbalance = 1;
    run(10);
    web.imbalance = 3;
    run(20);
    assertThat(events).isEmpty();
  }

  @Test
  void unknownFiguresChangeNothingAndARemovedRuleResolves() {
    rule(Kind.ERROR_RATE, 0.05, Duration.ofMinutes(1));
    web.errorShare = 0.5;
    run(40);
    assertThat(events).hasSize(1);
    web.errorShare = Double.NaN; // e.g. history restarted by a reload
    run(30);
    assertThat(events).hasSize(1);
    assertThat(evaluator.active()).hasSize(1);
    evaluator.rules(List.of(), recorder);
    assertThat(events).hasSize(2).last().asString().startsWith("resolved r null");
    assertThat(evaluator.active()).isEmpty();
  }
}
