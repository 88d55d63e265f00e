package dev.tether.session;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.testing.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** OWASP R26: lifecycle logging shows salted digests, never a raw session id. */
class IdLoggingTest {

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.tether.session");
  private Level before;

  @BeforeEach
  void capture() {
    before = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void release() {
    logger.detachAppender(appender);
    logger.setLevel(before);
  }

  @Test
  void noLifecycleLogLineContainsARawId() {
    SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    MemorySessionStore store = new MemorySessionStore(clock);
    SessionManager m =
        SessionManager.builder(store)
            .clock(clock)
            .policy(SessionPolicy.defaults().withUnknownIdLimit(1, Duration.ofMinutes(1)))
            .build();
    List<String> ids = new ArrayList<>();

    ActiveSession s = m.create();
    ids.add(s.id());
    m.commit(s);
    ActiveSession r1 = m.open(s.id(), "c").orElseThrow();
    ActiveSession r2 = m.open(s.id(), "c").orElseThrow();
    r1.setAttribute("a", 1);
    r2.setAttribute("a", 2);
    m.commit(r1);
    m.commit(r2);
    ids.add(m.authentication().login(r1, "ada"));
    m.commit(r1);
    String forged = new SessionIdGenerator().next();
    ids.add(forged);
    m.open(forged, "198.51.100.1");
    m.open(new SessionIdGenerator().next(), "198.51.100.1");
    ActiveSession late = m.open(r1.id(), "c").orElseThrow();
    m.invalidate(m.open(r1.id(), "c").orElseThrow());
    late.setAttribute("b", 1);
    m.commit(late);
    ActiveSession expiring = m.create();
    ids.add(expiring.id());
    m.commit(expiring);
    clock.advance(Duration.ofHours(1));
    m.sweepExpired();

    List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines)
        .as("the scenario logged its lifecycle")
        .anyMatch(l -> l.contains("created"))
        .anyMatch(l -> l.contains("rotated"))
        .anyMatch(l -> l.contains("not adopted"))
        .anyMatch(l -> l.contains("invalidated"))
        .anyMatch(l -> l.contains("possible id guessing"))
        .anyMatch(l -> l.contains("expired"));
    for (String id : ids) {
      assertThat(lines).noneMatch(l -> l.contains(id));
      assertThat(lines).noneMatch(l -> l.contains(id.substring(0, 16)));
    }
  }
}
