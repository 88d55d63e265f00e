package dev.tether.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.spi.SessionRecord;
import dev.tether.testing.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class SessionSweeperTest {

  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final MemorySessionStore store = new MemorySessionStore(clock);
  private final AtomicInteger expired = new AtomicInteger();
  private final SessionManager manager =
      SessionManager.builder(store)
          .clock(clock)
          .policy(
              new SessionPolicy(
                  Duration.ofMinutes(30),
                  Duration.ofHours(8),
                  SessionPolicy.Renewal.OFF,
                  Duration.ofMinutes(1),
                  Duration.ofMinutes(5),
                  20,
                  Duration.ofMinutes(1),
                  7))
          .listener(
              new SessionListener() {
                @Override
                public void expired(String d, SessionRecord r) {
                  expired.incrementAndGet();
                }
              })
          .build();

  @Test
  void oneRunSweepsAllBatches() {
    for (int i = 0; i < 30; i++) {
      manager.commit(manager.create());
    }
    clock.advance(Duration.ofMinutes(30));
    try (SessionSweeper sweeper = SessionSweeper.start(manager, Duration.ofHours(1))) {
      assertThat(sweeper.runOnce()).isEqualTo(30);
      assertThat(sweeper.runOnce()).isZero();
    }
    assertThat(expired).hasValue(30);
  }

  @Test
  void jitterStaysWithinTenPercent() {
    RandomGenerator seeded = new SplittableRandom(42);
    try (SessionSweeper sweeper = SessionSweeper.start(manager, Duration.ofSeconds(60), seeded)) {
      for (int i = 0; i < 1000; i++) {
        assertThat(sweeper.nextDelay()).isBetween(Duration.ofSeconds(60), Duration.ofSeconds(66));
      }
    }
  }

  @Test
  @SuppressWarnings("try") // the sweeper runs on its own thread until closed
  void scheduledRunsExpireSessions() {
    manager.commit(manager.create());
    clock.advance(Duration.ofMinutes(31));
    try (SessionSweeper sweeper = SessionSweeper.start(manager, Duration.ofMillis(20))) {
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(expired).hasValue(1));
    }
  }
}
