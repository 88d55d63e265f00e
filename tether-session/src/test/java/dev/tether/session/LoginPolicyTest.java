package dev.tether.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.ConcurrentSessionLimit.Action;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.testing.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Concurrent-session limits (R10) and authentication time for re-authentication gates (R16). */
class LoginPolicyTest {

  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T10:00:00Z"));
  private final MemorySessionStore store = new MemorySessionStore(clock);

  private SessionManager manager(ConcurrentSessionLimit limit) {
    SessionManager.Builder b = SessionManager.builder(store).clock(clock);
    return limit == null ? b.build() : b.concurrentSessions(limit).build();
  }

  /** Logs {@code principal} in on a new stored session, one minute after the previous login. */
  private static ActiveSession loggedIn(SessionManager m, SettableClock clock, String principal) {
    clock.advance(Duration.ofMinutes(1));
    ActiveSession s = m.create();
    m.commit(s);
    m.authentication().login(s, principal);
    m.commit(s);
    return s;
  }

  @Test
  void evictsTheLeastRecentlyUsedSessionsBeyondTheLimit() {
    SessionManager m = manager(new ConcurrentSessionLimit(2, Action.EVICT_LEAST_RECENT));
    ActiveSession first = loggedIn(m, clock, "ada");
    ActiveSession second = loggedIn(m, clock, "ada");
    // The first session is used again, so the second is now the least recently used.
    clock.advance(Duration.ofMinutes(1));
    ActiveSession reused = m.open(first.id(), "c").orElseThrow();
    m.commit(reused);
    ActiveSession other = loggedIn(m, clock, "bob");

    ActiveSession third = loggedIn(m, clock, "ada");

    assertThat(store.findByPrincipal("ada")).containsExactlyInAnyOrder(first.id(), third.id());
    assertThat(m.open(second.id(), "c")).as("evicted").isEmpty();
    assertThat(store.findByPrincipal("bob")).containsExactly(other.id());
  }

  @Test
  void rejectsALoginBeyondTheLimitAndLeavesTheSessionAnonymous() {
    SessionManager m = manager(new ConcurrentSessionLimit(1, Action.REJECT));
    ActiveSession first = loggedIn(m, clock, "ada");
    ActiveSession s = m.create();
    m.commit(s);
    String id = s.id();

    assertThatThrownBy(() -> m.authentication().login(s, "ada"))
        .isInstanceOf(SessionLimitExceededException.class)
        .hasMessageContaining("already holds 1 session");

    assertThat(s.principal()).isNull();
    assertThat(s.id()).isEqualTo(id);
    assertThat(store.findByPrincipal("ada")).containsExactly(first.id());
  }

  @Test
  void loggingInAgainOnTheSameSessionDoesNotCountItTwice() {
    SessionManager m = manager(new ConcurrentSessionLimit(1, Action.REJECT));
    ActiveSession s = loggedIn(m, clock, "ada");
    String newId = m.authentication().login(s, "ada");
    m.commit(s);
    assertThat(store.findByPrincipal("ada")).containsExactly(newId);
  }

  @Test
  void withoutALimitEveryLoginIsKept() {
    SessionManager m = manager(null);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(loggedIn(m, clock, "ada").id());
    }
    assertThat(store.findByPrincipal("ada")).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void limitMustBePositive() {
    assertThatThrownBy(() -> new ConcurrentSessionLimit(0, Action.REJECT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }

  @Test
  void authenticationTimeGatesHighValueOperationsAndSurvivesTheStore() {
    SessionManager m = manager(null);
    ActiveSession anonymous = m.create();
    assertThat(m.authentication().authenticatedAt(anonymous)).isEmpty();
    assertThat(m.authentication().authenticatedWithin(anonymous, Duration.ofHours(1))).isFalse();

    ActiveSession s = loggedIn(m, clock, "ada");
    Instant loginTime = clock.instant();
    clock.advance(Duration.ofMinutes(10));
    ActiveSession later = m.open(s.id(), "c").orElseThrow();
    assertThat(m.authentication().authenticatedAt(later)).contains(loginTime);
    assertThat(m.authentication().authenticatedWithin(later, Duration.ofMinutes(10))).isTrue();
    assertThat(m.authentication().authenticatedWithin(later, Duration.ofMinutes(5))).isFalse();
    assertThat(later.attributeNames()).as("internal, not an app attribute").isEmpty();

    String oldId = later.id();
    String newId = m.authentication().reauthenticated(later);
    m.commit(later);
    assertThat(newId).as("re-authentication rotates the id").isNotEqualTo(oldId);
    assertThat(
            m.authentication()
                .authenticatedWithin(m.open(newId, "c").orElseThrow(), Duration.ofMinutes(5)))
        .isTrue();
  }
}
