package dev.tether.session.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.circuit.CircuitBreaker.Permission;
import dev.tether.session.circuit.CircuitBreaker.State;
import dev.tether.testing.time.SettableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private final SettableClock clock = new SettableClock(T0);
  private final List<CircuitBreaker.Transition> transitions = new ArrayList<>();

  private CircuitBreaker breaker(CircuitBreakerSettings s) {
    CircuitBreaker b = new CircuitBreaker(s, clock);
    b.addListener(transitions::add);
    return b;
  }

  private static void succeed(CircuitBreaker b) {
    Permission p = b.acquire();
    assertThat(p.permitted()).isTrue();
    b.onSuccess(p);
  }

  private static void fail(CircuitBreaker b) {
    Permission p = b.acquire();
    assertThat(p.permitted()).isTrue();
    b.onFailure(p, new IOException("refused"));
  }

  @Test
  void opensAfterFiveConsecutiveFailuresAndNotBefore() {
    CircuitBreaker b = breaker(CircuitBreakerSettings.defaults());
    for (int i = 0; i < 4; i++) {
      fail(b);
    }
    assertThat(b.state()).isEqualTo(State.CLOSED);
    succeed(b); // resets the run
    for (int i = 0; i < 4; i++) {
      fail(b);
    }
    assertThat(b.state()).isEqualTo(State.CLOSED);
    fail(b);
    assertThat(b.state()).isEqualTo(State.OPEN);
    assertThat(transitions)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.from()).isEqualTo(State.CLOSED);
              assertThat(t.to()).isEqualTo(State.OPEN);
              assertThat(t.reason()).isEqualTo("5 consecutive failures");
              assertThat(t.outageSince()).isEqualTo(T0);
            });
  }

  @Test
  void opensWhenHalfOfTheLastTwentyCallsFailed() {
    CircuitBreaker b = breaker(CircuitBreakerSettings.defaults());
    // alternate: never 5 in a row; after 19 calls 9 failures, window not yet full
    for (int i = 0; i < 19; i++) {
      if (i % 2 == 0) {
        succeed(b);
      } else {
        fail(b);
      }
    }
    assertThat(b.state()).isEqualTo(State.CLOSED);
    fail(b); // 20th call: 10 of 20 failed = 0.5
    assertThat(b.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason()).isEqualTo("10 of the last 20 calls failed");
  }

  @Test
  void ratioIsOverASlidingWindowOfTheLastCalls() {
    CircuitBreaker b = breaker(CircuitBreakerSettings.defaults());
    // 9 failures early, then 20 successes push them out of the window
    for (int i = 0; i < 9; i++) {
      if (i % 3 == 2) {
        succeed(b);
      }
      fail(b);
    }
    for (int i = 0; i < 20; i++) {
      succeed(b);
    }
    // 11 more calls, 9 failures never more than 3 in a row: the window's last 20 calls hold 9
    // failures (the early ones slid out), 9/20 < 0.5
    for (int i = 0; i < 11; i++) {
      if (i % 4 == 3) {
        succeed(b);
      } else {
        fail(b);
      }
    }
    assertThat(b.state()).isEqualTo(State.CLOSED);
    fail(b); // 10/20, 4 in a row
    assertThat(b.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason()).isEqualTo("10 of the last 20 calls failed");
  }

  @Test
  void openFailsFastForTheCoolDownWithTheTimeLeft() {
    CircuitBreaker b = breaker(CircuitBreakerSettings.defaults());
    for (int i = 0; i < 5; i++) {
      fail(b);
    }
    clock.advance(Duration.ofMillis(1_500));
    Permission p = b.acquire();
    assertThat(p.permitted()).isFalse();
    assertThat(p.retryAfter()).isEqualTo(Duration.ofMillis(3_500));
    assertThat(p.since()).isEqualTo(T0);
    clock.advance(Duration.ofMillis(3_499));
    assertThat(b.acquire().permitted()).isFalse();
    assertThat(b.state()).isEqualTo(State.OPEN);
  }

  @Test
  void halfOpenLetsExactlyOneProbeThroughAndItsSuccessCloses() {
    CircuitBreaker b = breaker(CircuitBreakerSettings.defaults());
    for (int i = 0; i < 5; i++) {
      fail(b);
    }
    clock.advance(Duration.ofSeconds(5));
    Permission probe = b.acquire();
    assertThat(probe.permitted()).isTrue();
    assertThat(probe.probe()).isTrue();
    assertThat(b.state()).isEqualTo(State.HALF_OPEN);
    Permission other = b.acquire();
    assertThat(other.permitted()).isFalse();
    assertThat(other.retryAfter()).isEqualTo(CircuitBreaker.PROBE_RETRY);
    b.onSuccess(probe);
    assertThat(b.state()).isEqualTo(State.CLOSED);
    assertThat(b.outageSince()).isNull();
    assertThat(transitions)
        .extracting(CircuitBreaker.Transition::to)
        .containsExactly(State.OPEN, State.HALF_OPEN, State.CLOSED);
    // closed again with a fresh count: four failures do not open it
    for (int i = 0; i < 4; i++) {
      fail(b);
    }
    assertThat(b.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void aFailedProbeReopensForAnotherCoolDownKeepingTheOutageStart() {
    CircuitBreaker b = breaker(CircuitBreakerSettings.defaults());
    for (int i = 0; i < 5; i++) {
      fail(b);
    }
    clock.advance(Duration.ofSeconds(6));
    Permission probe = b.acquire();
    b.onFailure(probe, new IOException("still down"));
    assertThat(b.state()).isEqualTo(State.OPEN);
    Permission p = b.acquire();
    assertThat(p.permitted()).isFalse();
    assertThat(p.retryAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.since()).isEqualTo(T0);
    assertThat(transitions.getLast().reason()).isEqualTo("probe failed");
  }

  @Test
  void anIgnoredProbePassesItsTurnOn() {
    CircuitBreaker b = breaker(CircuitBreakerSettings.defaults());
    for (int i = 0; i < 5; i++) {
      fail(b);
    }
    clock.advance(Duration.ofSeconds(5));
    Permission probe = b.acquire();
    b.onIgnored(probe);
    assertThat(b.state()).isEqualTo(State.HALF_OPEN);
    Permission next = b.acquire();
    assertThat(next.probe()).isTrue();
    b.onSuccess(next);
    assertThat(b.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void outcomesOfCallsStartedBeforeATransitionAreIgnored() {
    CircuitBreaker b = breaker(CircuitBreakerSettings.defaults());
    Permission slow = b.acquire(); // started while closed, finishes after the circuit opened
    Permission slowFailure = b.acquire();
    for (int i = 0; i < 5; i++) {
      fail(b);
    }
    b.onSuccess(slow);
    assertThat(b.state()).isEqualTo(State.OPEN);
    clock.advance(Duration.ofSeconds(4));
    b.onFailure(slowFailure, new IOException("late"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(b.acquire().probe()).isTrue(); // the cool-down was not extended
  }

  @Test
  void settingsHaveTheDocumentedDefaultsAndClearErrors() {
    CircuitBreakerSettings d = CircuitBreakerSettings.fromSettings("redis", Map.of(), true);
    assertThat(d).isEqualTo(CircuitBreakerSettings.defaults());
    assertThat(d.failures()).isEqualTo(5);
    assertThat(d.window()).isEqualTo(20);
    assertThat(d.ratio()).isEqualTo(0.5);
    assertThat(d.coolDown()).isEqualTo(Duration.ofSeconds(5));
    assertThat(CircuitBreakerSettings.fromSettings("cookie", Map.of(), false).enabled()).isFalse();
    CircuitBreakerSettings s =
        CircuitBreakerSettings.fromSettings(
            "redis",
            Map.of(
                "circuit.enabled",
                "true",
                "circuit.failures",
                "3",
                "circuit.window",
                "10",
                "circuit.ratio",
                "0.3",
                "circuit.cool-down",
                "750ms",
                "uri",
                "redis://x"),
            false);
    assertThat(s).isEqualTo(new CircuitBreakerSettings(true, 3, 10, 0.3, Duration.ofMillis(750)));
    assertThatThrownBy(
            () ->
                CircuitBreakerSettings.fromSettings("redis", Map.of("circuit.failures", "0"), true))
        .hasMessage(
            "session store 'redis': setting 'circuit.failures' is '0'; allowed: a whole number 1..1000");
    assertThatThrownBy(
            () ->
                CircuitBreakerSettings.fromSettings("redis", Map.of("circuit.ratio", "1.5"), true))
        .hasMessageContaining(
            "setting 'circuit.ratio' is '1.5'; allowed: a number greater than 0 and at most 1");
    assertThatThrownBy(
            () ->
                CircuitBreakerSettings.fromSettings(
                    "jdbc", Map.of("circuit.cool-down", "forever"), true))
        .hasMessageContaining(
            "session store 'jdbc': setting 'circuit.cool-down' is 'forever'; allowed: a duration");
    assertThatThrownBy(
            () ->
                CircuitBreakerSettings.fromSettings("jdbc", Map.of("circuit.enable", "yes"), true))
        .hasMessageContaining(
            "unknown setting(s) [circuit.enable] for session store 'jdbc'; allowed: [circuit.cool-down,");
    assertThatThrownBy(
            () ->
                CircuitBreakerSettings.fromSettings("jdbc", Map.of("circuit.enabled", "yes"), true))
        .hasMessageContaining("'circuit.enabled' is 'yes'; allowed: true or false");
    assertThatThrownBy(() -> new CircuitBreakerSettings(true, 5, 0, 0.5, Duration.ofSeconds(5)))
        .hasMessage("circuit breaker window 0 must be 1..10000 calls");
  }
}
