package dev.tether.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.codec.EncryptionKeys;
import dev.tether.session.codec.JsonAttributeSerializer;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.spi.SessionRecord;
import dev.tether.testing.time.SettableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SessionManagerTest {

  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T10:00:00Z"));
  private final MemorySessionStore store = new MemorySessionStore(clock);
  private final Events events = new Events();
  private final SessionManager manager =
      SessionManager.builder(store).clock(clock).listener(events).build();

  /** Records events. */
  static final class Events implements SessionListener {
    final List<String> log = new CopyOnWriteArrayList<>();

    @Override
    public void created(String d) {
      log.add("created");
    }

    @Override
    public void expired(String d, SessionRecord r) {
      log.add("expired");
    }

    @Override
    public void deleted(String d, long lifetime) {
      log.add("deleted");
    }

    @Override
    public void rotated(String o, String n) {
      log.add("rotated");
    }

    @Override
    public void conflict(String d, Set<String> names) {
      log.add("conflict " + names);
    }

    @Override
    public void unknownId(String address) {
      log.add("unknown " + address);
    }

    @Override
    public void unknownIdFlood(String address, int count) {
      log.add("flood " + address + " " + count);
    }

    @Override
    public void lostSave(String d) {
      log.add("lost");
    }
  }

  private String newStoredSession(Map<String, Object> attrs) {
    ActiveSession s = manager.create();
    attrs.forEach(s::setAttribute);
    manager.commit(s);
    return s.id();
  }

  @Test
  void strictModeNeverAdoptsAnUnknownId() {
    String forged = new SessionIdGenerator().next();

    assertThat(manager.open(forged, "10.0.0.1")).isEmpty();
    assertThat(manager.open("../../etc/passwd", "10.0.0.1")).isEmpty();
    assertThat(manager.open(null, "10.0.0.1")).isEmpty();

    assertThat(store.load(forged)).isEmpty();
    assertThat(store.size()).isZero();
    assertThat(manager.unknownIdCount("10.0.0.1")).isEqualTo(2);
    assertThat(events.log).containsExactly("unknown 10.0.0.1", "unknown 10.0.0.1");
  }

  @Test
  void unknownIdFloodFiresOncePerWindowPerAddress() {
    SessionManager m =
        SessionManager.builder(store)
            .clock(clock)
            .listener(events)
            .policy(SessionPolicy.defaults().withUnknownIdLimit(3, Duration.ofMinutes(1)))
            .build();
    for (int i = 0; i < 10; i++) {
      m.open(new SessionIdGenerator().next(), "192.0.2.7");
    }
    m.open(new SessionIdGenerator().next(), "192.0.2.8");
    assertThat(events.log).containsOnlyOnce("flood 192.0.2.7 4");
    assertThat(events.log).noneMatch(e -> e.startsWith("flood 192.0.2.8"));

    clock.advance(Duration.ofMinutes(1));
    for (int i = 0; i < 4; i++) {
      m.open(new SessionIdGenerator().next(), "192.0.2.7");
    }
    assertThat(events.log.stream().filter(e -> e.startsWith("flood")).count()).isEqualTo(2);
  }

  @Test
  void newSessionIsStoredAtCommitWithItsAttributes() {
    ActiveSession s = manager.create();
    s.setAttribute("cart", List.of(1, 2, 3));
    s.setAttribute("user", Map.of("name", "Ada"));
    assertThat(store.load(s.id())).as("nothing stored before commit").isEmpty();

    manager.commit(s);

    ActiveSession again = manager.open(s.id(), "10.0.0.1").orElseThrow();
    assertThat(again.attribute("cart")).isEqualTo(List.of(1, 2, 3));
    assertThat(again.attribute("user")).isEqualTo(Map.of("name", "Ada"));
    assertThat(again.attributeNames()).containsExactly("cart", "user");
    assertThat(again.isNew()).isFalse();
    assertThat(events.log).containsExactly("created");
  }

  @Test
  void unchangedRequestsWriteLastAccessAtMostOncePerTouchInterval() {
    String id = newStoredSession(Map.of("a", "1"));
    long v0 = store.currentVersion(id).getAsLong();

    clock.advance(Duration.ofSeconds(30));
    manager.commit(manager.open(id, "c").orElseThrow());
    assertThat(store.currentVersion(id)).hasValue(v0);

    clock.advance(Duration.ofSeconds(31));
    manager.commit(manager.open(id, "c").orElseThrow());
    assertThat(store.currentVersion(id)).hasValue(v0 + 1);
    assertThat(store.load(id).orElseThrow().lastAccessedAt()).isEqualTo(clock.instant());
  }

  @Test
  void onlyChangedAttributesAreWrittenAndConcurrentChangesMerge() {
    String id = newStoredSession(Map.of("a", "1", "b", "1"));
    ActiveSession r1 = manager.open(id, "c").orElseThrow();
    ActiveSession r2 = manager.open(id, "c").orElseThrow();

    r1.setAttribute("a", "2");
    r2.setAttribute("b", "2");
    manager.commit(r1);
    manager.commit(r2);

    ActiveSession after = manager.open(id, "c").orElseThrow();
    assertThat(after.attribute("a")).isEqualTo("2");
    assertThat(after.attribute("b")).isEqualTo("2");
    assertThat(events.log).noneMatch(e -> e.startsWith("conflict"));
  }

  @Test
  void realConflictIsLastWriterWinsAndReported() {
    String id = newStoredSession(Map.of("a", "1"));
    ActiveSession r1 = manager.open(id, "c").orElseThrow();
    ActiveSession r2 = manager.open(id, "c").orElseThrow();
    r1.setAttribute("a", "first");
    r2.setAttribute("a", "second");

    manager.commit(r1);
    manager.commit(r2);

    assertThat(manager.open(id, "c").orElseThrow().attribute("a")).isEqualTo("second");
    assertThat(events.log).contains("conflict [a]");
  }

  @Test
  void logoutWinsOverAnInFlightRequest() {
    String id = newStoredSession(Map.of("a", "1"));
    ActiveSession inFlight = manager.open(id, "c").orElseThrow();
    ActiveSession logout = manager.open(id, "c").orElseThrow();

    manager.invalidate(logout);
    inFlight.setAttribute("a", "late");
    boolean live = manager.commit(inFlight);

    assertThat(live).isFalse();
    assertThat(store.load(id)).isEmpty();
    assertThat(manager.open(id, "c")).isEmpty();
    assertThat(events.log).contains("deleted", "lost");
    assertThatThrownBy(() -> logout.attribute("a")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void loginRotatesTheIdKeepsAttributesAndIndexesThePrincipal() {
    String id = newStoredSession(Map.of("cart", List.of(5)));
    ActiveSession s = manager.open(id, "c").orElseThrow();

    String newId = manager.authentication().login(s, "ada");
    manager.commit(s);

    assertThat(newId).isNotEqualTo(id);
    assertThat(s.id()).isEqualTo(newId);
    assertThat(s.idChanged()).isTrue();
    assertThat(manager.open(id, "c")).as("old id dead").isEmpty();
    ActiveSession after = manager.open(newId, "c").orElseThrow();
    assertThat(after.attribute("cart")).isEqualTo(List.of(5));
    assertThat(after.principal()).isEqualTo("ada");
    assertThat(store.findByPrincipal("ada")).containsExactly(newId);
    assertThat(events.log).contains("rotated");
  }

  @Test
  void invalidateAllEndsEverySessionOfAPrincipal() {
    for (int i = 0; i < 3; i++) {
      ActiveSession s = manager.create();
      s.setPrincipal("bob");
      manager.commit(s);
    }
    assertThat(manager.principals().invalidateAll("bob")).isEqualTo(3);
    assertThat(store.findByPrincipal("bob")).isEmpty();
  }

  @Test
  void usersSeeAndEndTheirOwnSessionsByDigestOnly() {
    List<ActiveSession> mine = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ActiveSession s = manager.create();
      s.setPrincipal("carol");
      manager.commit(s);
      mine.add(s);
      clock.advance(Duration.ofMinutes(1));
    }
    ActiveSession other = manager.create();
    other.setPrincipal("dave");
    manager.commit(other);
    ActiveSession current = manager.open(mine.get(2).id(), "c").orElseThrow();

    List<SessionSummary> list = manager.principals().sessionsOf(current);

    assertThat(list).hasSize(3);
    assertThat(list).extracting(SessionSummary::current).containsExactly(false, false, true);
    assertThat(list.toString()).doesNotContain(mine.get(0).id());
    assertThat(manager.principals().invalidate("dave", list.get(0).idDigest()))
        .as("not dave's")
        .isFalse();
    assertThat(manager.principals().invalidate("carol", list.get(0).idDigest())).isTrue();
    assertThat(store.load(mine.get(0).id())).isEmpty();

    assertThat(manager.principals().invalidateOthers(current)).isEqualTo(1);
    assertThat(store.findByPrincipal("carol")).containsExactly(current.id());
    assertThat(store.findByPrincipal("dave")).containsExactly(other.id());
  }

  @Test
  void idleExpirySlidesAndAbsoluteExpiryDoesNot() {
    SessionManager m =
        SessionManager.builder(store)
            .clock(clock)
            .policy(
                SessionPolicy.defaults()
                    .withTimeouts(Duration.ofMinutes(10), Duration.ofMinutes(25)))
            .build();
    ActiveSession s = m.create();
    m.commit(s);
    String id = s.id();
    for (int i = 0; i < 2; i++) {
      clock.advance(Duration.ofMinutes(9));
      m.commit(m.open(id, "c").orElseThrow());
    }
    clock.advance(Duration.ofMinutes(6));
    assertThat(m.open(id, "c")).as("24 minutes in, active").isPresent();
    clock.advance(Duration.ofMinutes(1));
    assertThat(m.open(id, "c")).as("absolute timeout").isEmpty();

    ActiveSession idle = m.create();
    m.commit(idle);
    clock.advance(Duration.ofMinutes(10));
    assertThat(m.open(idle.id(), "c")).as("idle timeout").isEmpty();
  }

  @Test
  void renewalTimeoutRotatesTheIdOnOpen() {
    SessionManager m =
        SessionManager.builder(store)
            .clock(clock)
            .policy(SessionPolicy.defaults().withRenewal(Duration.ofMinutes(15), Duration.ZERO))
            .build();
    ActiveSession s = m.create();
    s.setAttribute("k", "v");
    m.commit(s);
    String id = s.id();

    clock.advance(Duration.ofMinutes(10));
    ActiveSession early = m.open(id, "c").orElseThrow();
    assertThat(early.idChanged()).isFalse();
    m.commit(early);

    clock.advance(Duration.ofMinutes(6));
    ActiveSession renewed = m.open(id, "c").orElseThrow();
    m.commit(renewed);
    assertThat(renewed.idChanged()).isTrue();
    assertThat(m.open(id, "c")).isEmpty();
    ActiveSession next = m.open(renewed.id(), "c").orElseThrow();
    assertThat(next.attribute("k")).isEqualTo("v");
    assertThat(next.idChanged()).as("renewed 0 minutes ago").isFalse();
  }

  @Test
  void renewalGraceLetsInFlightRequestsWithTheOldIdThroughBriefly() {
    SessionManager m =
        SessionManager.builder(store)
            .clock(clock)
            .policy(
                SessionPolicy.defaults()
                    .withRenewal(Duration.ofMinutes(15), Duration.ofSeconds(30)))
            .build();
    ActiveSession s = m.create();
    s.setAttribute("k", "v");
    m.commit(s);
    String oldId = s.id();
    clock.advance(Duration.ofMinutes(15));
    ActiveSession renewed = m.open(oldId, "c").orElseThrow();
    m.commit(renewed);

    clock.advance(Duration.ofSeconds(10));
    ActiveSession inFlight = m.open(oldId, "c").orElseThrow();
    assertThat(inFlight.id()).isEqualTo(renewed.id());
    assertThat(inFlight.attribute("k")).isEqualTo("v");
    assertThat(store.load(oldId)).as("the old id itself stays dead in the store").isEmpty();

    clock.advance(Duration.ofSeconds(20));
    assertThat(m.open(oldId, "c")).as("grace over").isEmpty();
    assertThat(m.open(renewed.id(), "c")).isPresent();
  }

  @Test
  void loginRotationHasNoGrace() {
    SessionManager m =
        SessionManager.builder(store)
            .clock(clock)
            .policy(
                SessionPolicy.defaults()
                    .withRenewal(Duration.ofMinutes(15), Duration.ofSeconds(30)))
            .build();
    ActiveSession s = m.create();
    m.commit(s);
    String oldId = s.id();
    ActiveSession r = m.open(oldId, "c").orElseThrow();
    m.authentication().login(r, "ada");
    m.commit(r);

    assertThat(m.open(oldId, "c")).isEmpty();
  }

  @Test
  void renewalSettingsAreChecked() {
    assertThatThrownBy(
            () -> new SessionPolicy.Renewal(Duration.ofMinutes(1), Duration.ofMinutes(2)))
        .hasMessageContaining("shorter than the renewal timeout");
  }

  @Test
  void csrfTokenIsStablePerSessionAndVerifiedInConstantTime() {
    ActiveSession s = manager.create();
    String token = manager.csrf().token(s);
    manager.commit(s);

    ActiveSession next = manager.open(s.id(), "c").orElseThrow();
    assertThat(manager.csrf().token(next)).isEqualTo(token);
    assertThat(manager.csrf().verify(next, token)).isTrue();
    assertThat(manager.csrf().verify(next, token + "x")).isFalse();
    assertThat(manager.csrf().verify(next, null)).isFalse();
    assertThat(token).hasSize(43).isNotEqualTo(s.id());
    assertThat(next.attributeNames()).as("reserved names hidden").isEmpty();
    assertThat(manager.csrf().verify(manager.create(), token)).isFalse();
  }

  @Test
  void reservedAttributeNamesAreRefused() {
    ActiveSession s = manager.create();
    assertThatThrownBy(() -> s.setAttribute("tether.csrf", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tether.");
  }

  @Test
  void expiryWarningAppearsInTheLastMinutes() {
    SessionManager m =
        SessionManager.builder(store)
            .clock(clock)
            .policy(
                SessionPolicy.defaults()
                    .withTimeouts(Duration.ofMinutes(30), Duration.ofMinutes(60)))
            .build();
    ActiveSession s = m.create();
    m.commit(s);
    assertThat(m.expiryWarning(s)).isEmpty();
    assertThat(m.remaining(s)).isEqualTo(Duration.ofMinutes(30));

    clock.advance(Duration.ofMinutes(28));
    m.commit(m.open(s.id(), "c").orElseThrow());
    clock.advance(Duration.ofMinutes(28));
    ActiveSession late = m.open(s.id(), "c").orElseThrow();
    assertThat(m.expiryWarning(late)).hasValue(Duration.ofMinutes(4));
  }

  @Test
  void expiryEventsFireOnceAcrossTwoNodes() {
    SessionManager node2 =
        SessionManager.builder(store.peer(clock)).clock(clock).listener(events).build();
    for (int i = 0; i < 10; i++) {
      manager.commit(manager.create());
    }
    clock.advance(Duration.ofMinutes(31));

    int total = manager.sweepExpired() + node2.sweepExpired() + manager.sweepExpired();

    assertThat(total).isEqualTo(10);
    assertThat(events.log.stream().filter("expired"::equals).count()).isEqualTo(10);
  }

  @Test
  void idsAre256RandomBitsAndUnique() {
    SessionIdGenerator gen = new SessionIdGenerator(new SecureRandom());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      String id = gen.next();
      assertThat(Base64.getUrlDecoder().decode(id)).hasSize(32);
      seen.add(id);
    }
    assertThat(seen).hasSize(100_000);
  }

  @Test
  void digestsHideTheIdButAreStable() {
    String id = new SessionIdGenerator().next();
    String d = manager.digest(id);
    assertThat(d).hasSize(16).doesNotContain(id.substring(0, 8)).isEqualTo(manager.digest(id));
    SessionManager other = SessionManager.builder(store).clock(clock).build();
    assertThat(other.digest(id)).as("salted per process/manager").isNotEqualTo(d);
  }

  @Test
  void valuesSealedWithARetiredKeyAreResealedOnFirstRead() {
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    new SecureRandom().nextBytes(k1);
    new SecureRandom().nextBytes(k2);
    SessionManager before =
        SessionManager.builder(store)
            .clock(clock)
            .codec(codec(EncryptionKeys.ofRaw("k1", Map.of("k1", k1))))
            .build();
    ActiveSession s = before.create();
    s.setAttribute("secret", "x");
    before.commit(s);
    SessionManager after =
        SessionManager.builder(store)
            .clock(clock)
            .codec(codec(EncryptionKeys.ofRaw("k2", Map.of("k1", k1, "k2", k2))))
            .build();

    ActiveSession read = after.open(s.id(), "c").orElseThrow();
    assertThat(read.attribute("secret")).isEqualTo("x");
    after.commit(read);

    byte[] stored = store.load(s.id()).orElseThrow().attributeBytes("secret");
    assertThat(AttributeCodec.keyIdOf(stored)).isEqualTo("k2");
  }

  private static AttributeCodec codec(EncryptionKeys keys) {
    return new AttributeCodec(
        new JsonAttributeSerializer(),
        AttributeCodec.Options.defaults().withKeys(keys),
        new SecureRandom());
  }

  @Test
  void rotatingANewUnsavedSessionOnlyChangesItsId() {
    ActiveSession s = manager.create();
    String before = s.id();
    String after = s.rotateId();
    manager.commit(s);
    assertThat(store.load(before)).isEmpty();
    assertThat(store.load(after)).isPresent();
    List<String> notExpected = new ArrayList<>(events.log);
    assertThat(notExpected).contains("created");
  }
}
