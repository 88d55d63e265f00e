package dev.tether.balance.affinity.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.Fixtures.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SessionTrackerTest {

  private final ManualTicker ticker = new ManualTicker();
  private final SessionTracker tracker = new SessionTracker(Duration.ofMinutes(1), 1000, ticker);
  private final List<String> ended = new ArrayList<>();

  SessionTrackerTest() {
    tracker.listener(
        (server, nanos) -> ended.add(server + ":" + TimeUnit.NANOSECONDS.toSeconds(nanos)));
  }

  @Test
  void aKeyIsBornOnceHoweverOftenItIsTouched() {
    tracker.touch("a", "s1");
    tracker.touch("a", "s1");
    tracker.touch("b", "s2");
    ticker.advance(10, TimeUnit.SECONDS);
    tracker.touch("a", "s1");
    assertThat(tracker.births()).isEqualTo(2);
    assertThat(tracker.sessions()).isEqualTo(Map.of("s1", 1L, "s2", 1L));
  }

  @Test
  void aMovedKeyIsNotANewBirthAndKeepsItsFirstSighting() {
    tracker.touch("a", "s1");
    ticker.advance(20, TimeUnit.SECONDS);
    tracker.touch("a", "s2");
    assertThat(tracker.births()).isEqualTo(1);
    assertThat(tracker.sessions()).isEqualTo(Map.of("s2", 1L));
    ticker.advance(5, TimeUnit.SECONDS);
    tracker.forget("a");
    assertThat(ended).containsExactly("s2:20");
  }

  @Test
  void lifespanRunsFromFirstToLastSightingAndIsReportedOnExpiry() {
    tracker.touch("a", "s1");
    ticker.advance(30, TimeUnit.SECONDS);
    tracker.touch("a", "s1");
    ticker.advance(45, TimeUnit.SECONDS);
    tracker.touch("a", "s1");
    assertThat(ended).isEmpty();
    ticker.advance(61, TimeUnit.SECONDS); // idle past the one-minute window
    assertThat(tracker.sessions()).isEmpty();
    assertThat(ended).containsExactly("s1:75");
    assertThat(tracker.count("s1")).isZero();
  }

  @Test
  void aKeySeenAgainAfterItExpiredIsANewBirth() {
    tracker.touch("a", "s1");
    ticker.advance(2, TimeUnit.MINUTES);
    tracker.touch("a", "s1");
    assertThat(tracker.births()).isEqualTo(2);
    assertThat(ended).containsExactly("s1:0");
    assertThat(tracker.sessions()).isEqualTo(Map.of("s1", 1L));
  }
}
