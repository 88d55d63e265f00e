package dev.tether.session.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.ActiveSession;
import dev.tether.session.SessionIdGenerator;
import dev.tether.session.SessionManager;
import dev.tether.session.cache.NearCacheStore;
import dev.tether.session.memory.MemorySessionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SessionMetricsTest {

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final Clock clock =
      new Clock() {
        @Override
        public Instant instant() {
          return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      };

  @Test
  void lifecycleConflictsLatencyAndNearCacheAreMeasured() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    NearCacheStore store = new NearCacheStore(new MemorySessionStore(clock), 100);
    SessionMetrics metrics = new SessionMetrics(registry).bindNearCache(store);
    SessionManager m = SessionManager.builder(store).clock(clock).listener(metrics).build();

    ActiveSession one = m.create();
    m.commit(one);
    ActiveSession two = m.create();
    m.commit(two);
    ActiveSession r1 = m.open(one.id(), "c").orElseThrow();
    ActiveSession r2 = m.open(one.id(), "c").orElseThrow();
    r1.setAttribute("x", "1");
    r2.setAttribute("x", "2");
    m.commit(r1);
    m.commit(r2);
    now.updateAndGet(t -> t.plus(Duration.ofMinutes(10)));
    m.invalidate(m.open(two.id(), "c").orElseThrow());
    m.open(new SessionIdGenerator().next(), "10.1.1.1");
    now.updateAndGet(t -> t.plus(Duration.ofMinutes(31)));
    m.sweepExpired();

    assertThat(registry.counter("tether.sessions.created").count()).isEqualTo(2);
    assertThat(registry.counter("tether.sessions.deleted").count()).isEqualTo(1);
    assertThat(registry.counter("tether.sessions.expired").count()).isEqualTo(1);
    assertThat(registry.counter("tether.sessions.conflicts").count()).isEqualTo(1);
    assertThat(registry.counter("tether.sessions.unknown.ids").count()).isEqualTo(1);
    assertThat(registry.get("tether.sessions.active").gauge().value()).isZero();
    assertThat(registry.get("tether.sessions.lifespan").summary().count()).isEqualTo(2);
    assertThat(registry.get("tether.sessions.lifespan").summary().max()).isEqualTo(1800);
    assertThat(
            registry.get("tether.sessions.store.latency").tag("operation", "save").timer().count())
        .isEqualTo(2);
    assertThat(registry.get("tether.sessions.nearcache.hits").functionCounter().count())
        .isGreaterThan(0);
    assertThat(registry.get("tether.sessions.nearcache.hit.ratio").gauge().value())
        .isBetween(0.0, 1.0);
  }

  @Test
  void sessionSizeIsRecordedAtEachWriteWithChanges() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SessionManager m =
        SessionManager.builder(new MemorySessionStore(clock))
            .clock(clock)
            .listener(new SessionMetrics(registry))
            .build();

    ActiveSession s = m.create();
    s.setAttribute("cart", "abc"); // JSON "abc" with the codec's 2-byte header: 7 bytes, name 4
    m.commit(s);
    ActiveSession again = m.open(s.id(), "c").orElseThrow();
    again.setAttribute("cart", "abcdef");
    m.commit(again);
    m.commit(m.open(s.id(), "c").orElseThrow()); // nothing changed: no write, no sample

    var size = registry.get("tether.sessions.size").summary();
    assertThat(size.count()).isEqualTo(2);
    assertThat(size.max()).isEqualTo(4 + 2 + 8);
    assertThat(size.totalAmount()).isEqualTo((4 + 2 + 5) + (4 + 2 + 8));
  }
}
