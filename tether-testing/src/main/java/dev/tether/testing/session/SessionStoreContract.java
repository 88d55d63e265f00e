package dev.tether.testing.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SaveResult.Outcome;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SessionStore} must show, spring-session style: a store's test extends
 * this class and only says how to build the store.
 *
 * <pre>{@code
 * class RedisSessionStoreTest extends SessionStoreContract {
 *   protected SessionStore createStore(Clock clock) {
 *     return new RedisSessionStore(redisUri, "test:" + testNamespace, clock);
 *   }
 * }
 * }</pre>
 *
 * <p>Rules for {@link #createStore}: every call within one test returns a new store instance over
 * the <em>same</em> backend (two calls model two app instances sharing Redis, a database or a
 * directory); the store must judge time only by the given clock. Tests use fresh random ids and
 * principal names and only assert about their own sessions, so a backend shared across tests works,
 * though a clean one per test (or per-test key prefix) is preferable. Stores are closed after each
 * test.
 *
 * <p>The clock starts at the real current time (so backend TTLs set relative to it stay sane) and
 * only moves when a test advances it.
 */
public abstract class SessionStoreContract {

  /** Idle timeout of the sessions the suite creates. */
  protected static final Duration IDLE = Duration.ofMinutes(30);

  /** Absolute timeout of the sessions the suite creates. */
  protected static final Duration ABSOLUTE = Duration.ofHours(8);

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The clock every store of this test is built with. */
  protected final SettableClock clock =
      new SettableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));

  private final List<SessionStore> opened = new ArrayList<>();

  /** The store under test, built before each test. */
  protected SessionStore store;

  /**
   * Builds a new store instance over this test's backend, judging time by {@code clock}.
   *
   * @param clock the suite's settable clock
   */
  protected abstract SessionStore createStore(Clock clock);

  /** Builds and remembers a store, closed after the test. */
  protected final SessionStore openStore() {
    SessionStore s = createStore(clock);
    opened.add(s);
    return s;
  }

  @BeforeEach
  void openMainStore() {
    store = openStore();
  }

  @AfterEach
  void closeStores() {
    for (SessionStore s : opened) {
      s.close();
    }
    opened.clear();
  }

  // ---------------------------------------------------------------- basics

  @Test
  void unknownIdIsEmptyEverywhere() {
    String id = newId();
    assertThat(store.load(id)).isEmpty();
    assertThat(store.currentVersion(id)).isEmpty();
    assertThat(store.save(SessionDelta.builder(id, 1).set("a", bytes("1")).build()).outcome())
        .isEqualTo(Outcome.GONE);
    assertThat(store.delete(id)).isFalse();
    assertThat(store.rotateId(id, newId()).outcome()).isEqualTo(Outcome.GONE);
    assertThat(store.load(id)).as("a save must not create a session").isEmpty();
  }

  @Test
  void createThenLoadRoundTripsEveryField() {
    String id = newId();
    String principal = newPrincipal();
    byte[] binary = new byte[70_000];
    RANDOM.nextBytes(binary);
    binary[0] = 0;
    Map<String, byte[]> attrs = new HashMap<>();
    attrs.put("cart", bytes("{\"items\":[1,2,3]}"));
    attrs.put("binary", binary);
    attrs.put("empty", new byte[0]);
    attrs.put("name with spaces/and:colons", bytes("\"x\""));
    SessionRecord created =
        SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, principal, attrs);

    SaveResult r = store.create(created);

    assertThat(r.outcome()).isEqualTo(Outcome.SAVED);
    assertThat(r.version()).isEqualTo(1);
    SessionRecord loaded = store.load(id).orElseThrow();
    assertThat(loaded).isEqualTo(created);
    assertThat(loaded.attributeBytes("binary")).isEqualTo(binary);
    assertThat(loaded.attributeBytes("empty")).isEmpty();
    assertThat(store.currentVersion(id)).hasValue(1);
  }

  @Test
  void createOfAnExistingIdIsRefusedAndChangesNothing() {
    String id = create(Map.of("a", bytes("1")));
    SessionRecord other =
        SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, null, Map.of("b", bytes("2")));

    assertThat(store.create(other).outcome()).isEqualTo(Outcome.ID_TAKEN);
    assertThat(store.load(id).orElseThrow().attributes()).containsOnlyKeys("a");
  }

  // ---------------------------------------------------------------- deltas

  @Test
  void deltaChangesOnlyWhatItNames() {
    String id = create(Map.of("keep", bytes("k"), "change", bytes("c0"), "drop", bytes("d")));
    clock.advance(Duration.ofMinutes(5));
    Instant access = clock.instant();

    SaveResult r =
        store.save(
            SessionDelta.builder(id, 1)
                .set("change", bytes("c1"))
                .set("new", bytes("n"))
                .remove("drop")
                .lastAccessedAt(access)
                .idleTimeout(Duration.ofMinutes(45))
                .build());

    assertThat(r).isEqualTo(SaveResult.saved(2));
    SessionRecord s = store.load(id).orElseThrow();
    assertThat(s.version()).isEqualTo(2);
    assertThat(s.attributes()).containsOnlyKeys("keep", "change", "new");
    assertThat(s.attributeBytes("keep")).isEqualTo(bytes("k"));
    assertThat(s.attributeBytes("change")).isEqualTo(bytes("c1"));
    assertThat(s.attributes().get("change").version()).isEqualTo(2);
    assertThat(s.attributes().get("keep").version()).isEqualTo(1);
    assertThat(s.lastAccessedAt()).isEqualTo(access);
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofMinutes(45));
    assertThat(store.currentVersion(id)).hasValue(2);
  }

  @Test
  void lastAccessNeverMovesBackwards() {
    String id = create(Map.of());
    Instant t0 = clock.instant();
    clock.advance(Duration.ofMinutes(2));
    Instant later = clock.instant();
    store.save(SessionDelta.builder(id, 1).lastAccessedAt(later).build());

    store.save(SessionDelta.builder(id, 1).lastAccessedAt(t0.plusSeconds(1)).build());

    assertThat(store.load(id).orElseThrow().lastAccessedAt()).isEqualTo(later);
  }

  @Test
  void concurrentChangesOfDifferentAttributesBothPersistWithoutConflict() {
    String id = create(Map.of());
    long base = store.load(id).orElseThrow().version();

    SaveResult first = store.save(SessionDelta.builder(id, base).set("a", bytes("A")).build());
    SaveResult second = store.save(SessionDelta.builder(id, base).set("b", bytes("B")).build());

    assertThat(first).isEqualTo(SaveResult.saved(2));
    assertThat(second).isEqualTo(SaveResult.saved(3));
    SessionRecord s = store.load(id).orElseThrow();
    assertThat(s.attributeBytes("a")).isEqualTo(bytes("A"));
    assertThat(s.attributeBytes("b")).isEqualTo(bytes("B"));
  }

  @Test
  void conflictOnOneAttributeIsLastWriterWinsAndReported() {
    String id = create(Map.of("x", bytes("0"), "y", bytes("0")));

    SaveResult first =
        store.save(SessionDelta.builder(id, 1).set("x", bytes("first")).build());
    SaveResult second =
        store.save(
            SessionDelta.builder(id, 1).set("x", bytes("second")).set("y", bytes("y2")).build());

    assertThat(first.conflicts()).isEmpty();
    assertThat(second.outcome()).isEqualTo(Outcome.SAVED);
    assertThat(second.conflicts()).containsExactly("x");
    SessionRecord s = store.load(id).orElseThrow();
    assertThat(s.attributeBytes("x")).isEqualTo(bytes("second"));
    assertThat(s.attributeBytes("y")).isEqualTo(bytes("y2"));
  }

  @Test
  void removingAnAttributeChangedMeanwhileIsAConflict() {
    String id = create(Map.of("x", bytes("0")));
    store.save(SessionDelta.builder(id, 1).set("x", bytes("1")).build());

    SaveResult r = store.save(SessionDelta.builder(id, 1).remove("x").build());

    assertThat(r.conflicts()).containsExactly("x");
    assertThat(store.load(id).orElseThrow().attributes()).doesNotContainKey("x");
  }

  @Test
  void writerThatSawTheLatestVersionHasNoConflict() {
    String id = create(Map.of("x", bytes("0")));
    SaveResult first = store.save(SessionDelta.builder(id, 1).set("x", bytes("1")).build());

    SaveResult second =
        store.save(SessionDelta.builder(id, first.version()).set("x", bytes("2")).build());

    assertThat(second.conflicts()).isEmpty();
    assertThat(second.version()).isEqualTo(first.version() + 1);
  }

  @Test
  void fiftyConcurrentWritersOfDistinctAttributesAllPersist() throws Exception {
    String id = create(Map.of());
    int writers = 50;
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<SaveResult>> tasks = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      String name = "w" + i;
      tasks.add(
          () -> {
            start.await();
            SessionRecord seen = store.load(id).orElseThrow();
            return store.save(
                SessionDelta.builder(id, seen.version())
                    .set(name, bytes(name))
                    .lastAccessedAt(clock.instant())
                    .build());
          });
    }
    List<SaveResult> results = runConcurrently(tasks, start);

    assertThat(results).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.SAVED));
    assertThat(results).allSatisfy(r -> assertThat(r.conflicts()).isEmpty());
    assertThat(results.stream().map(SaveResult::version).distinct().count()).isEqualTo(writers);
    SessionRecord s = store.load(id).orElseThrow();
    assertThat(s.attributes()).hasSize(writers);
    for (int i = 0; i < writers; i++) {
      assertThat(s.attributeBytes("w" + i)).isEqualTo(bytes("w" + i));
    }
    assertThat(s.version()).isEqualTo(1 + writers);
  }

  @Test
  void fiftyWritersThroughTwoStoreInstancesAllPersist() throws Exception {
    SessionStore peer = openStore();
    String id = create(Map.of());
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<SaveResult>> tasks = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      SessionStore via = i % 2 == 0 ? store : peer;
      String name = "w" + i;
      tasks.add(
          () -> {
            start.await();
            long v = via.load(id).orElseThrow().version();
            return via.save(SessionDelta.builder(id, v).set(name, bytes(name)).build());
          });
    }
    List<SaveResult> results = runConcurrently(tasks, start);

    assertThat(results).allSatisfy(r -> assertThat(r.isSaved()).isTrue());
    assertThat(peer.load(id).orElseThrow().attributes()).hasSize(50);
  }

  // ---------------------------------------------------------------- delete and tombstones

  @Test
  void deleteRemovesTheSessionAndAnInFlightSaveCannotResurrectIt() {
    String id = create(Map.of("a", bytes("1")));
    SessionRecord seenByInFlightRequest = store.load(id).orElseThrow();

    assertThat(store.delete(id)).isTrue();
    SaveResult late =
        store.save(
            SessionDelta.builder(id, seenByInFlightRequest.version())
                .set("b", bytes("2"))
                .lastAccessedAt(clock.instant())
                .build());

    assertThat(late.outcome()).isEqualTo(Outcome.GONE);
    assertThat(store.load(id)).isEmpty();
    assertThat(store.currentVersion(id)).isEmpty();
    assertThat(store.delete(id)).isFalse();
  }

  @Test
  void deletedIdIsTombstonedAgainstCreateAndRotation() {
    String id = create(Map.of());
    String other = create(Map.of());
    store.delete(id);

    SessionRecord again =
        SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, null, Map.of());
    assertThat(store.create(again).outcome()).isEqualTo(Outcome.ID_TAKEN);
    assertThat(store.rotateId(other, id).outcome()).isEqualTo(Outcome.ID_TAKEN);
    assertThat(store.load(id)).isEmpty();
    assertThat(store.load(other)).isPresent();
  }

  @Test
  void logoutRacingSavesNeverResurrects() throws Exception {
    SessionStore peer = openStore();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        String id = create(Map.of());
        CountDownLatch firstSave = new CountDownLatch(1);
        Future<Outcome> writer =
            pool.submit(
                () -> {
                  for (int i = 0; i < 100_000; i++) {
                    Optional<SessionRecord> seen = peer.load(id);
                    long base = seen.map(SessionRecord::version).orElse(1L);
                    SaveResult r =
                        peer.save(SessionDelta.builder(id, base).set("n", bytes("" + i)).build());
                    firstSave.countDown();
                    if (r.outcome() == Outcome.GONE) {
                      return Outcome.GONE;
                    }
                  }
                  return Outcome.SAVED;
                });
        Future<Boolean> logout =
            pool.submit(
                () -> {
                  firstSave.await();
                  return store.delete(id);
                });

        assertThat(logout.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(writer.get(30, TimeUnit.SECONDS))
            .as("the writer must see GONE after the delete")
            .isEqualTo(Outcome.GONE);
        assertThat(store.load(id)).isEmpty();
        assertThat(peer.load(id)).isEmpty();
        assertThat(peer.currentVersion(id)).isEmpty();
        assertThat(peer.save(SessionDelta.builder(id, 1).set("z", bytes("z")).build()).outcome())
            .isEqualTo(Outcome.GONE);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- expiry

  @Test
  void idleExpirySlidesWithEachAccess() {
    String id = create(Map.of("a", bytes("1")));
    clock.advance(IDLE.minusMinutes(1));
    assertThat(store.load(id)).isPresent();
    long v = store.load(id).orElseThrow().version();
    store.save(SessionDelta.builder(id, v).lastAccessedAt(clock.instant()).build());

    clock.advance(IDLE.minusMinutes(1));
    assertThat(store.load(id)).as("the access moved idle expiry").isPresent();

    clock.advance(Duration.ofMinutes(1));
    assertThat(store.load(id)).as("expired exactly at last access + idle").isEmpty();
    assertThat(store.currentVersion(id)).isEmpty();
    assertThat(store.save(SessionDelta.builder(id, v + 1).set("b", bytes("2")).build()).outcome())
        .isEqualTo(Outcome.GONE);
    assertThat(store.rotateId(id, newId()).outcome()).isEqualTo(Outcome.GONE);
  }

  @Test
  void absoluteExpiryHoldsHoweverActiveTheSessionIs() {
    Duration absolute = Duration.ofHours(1);
    String id = newId();
    store.create(SessionRecord.create(id, clock.instant(), IDLE, absolute, null, Map.of()));
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMinutes(11));
      long v = store.load(id).orElseThrow().version();
      store.save(SessionDelta.builder(id, v).lastAccessedAt(clock.instant()).build());
    }
    assertThat(store.load(id)).as("55 minutes, active").isPresent();

    clock.advance(Duration.ofMinutes(5));

    assertThat(store.load(id)).as("absolute timeout reached").isEmpty();
    assertThat(store.currentVersion(id)).isEmpty();
  }

  @Test
  void sweepRemovesExpiredSessionsOnceAndCleansThePrincipalIndex() {
    String principal = newPrincipal();
    String old1 = createFor(principal);
    String old2 = createFor(principal);
    clock.advance(Duration.ofMinutes(20));
    String fresh = createFor(principal);
    clock.advance(Duration.ofMinutes(11));

    List<String> swept = sweepAllOwn(store, Set.of(old1, old2, fresh));

    assertThat(swept).containsExactlyInAnyOrder(old1, old2);
    assertThat(sweepAllOwn(store, Set.of(old1, old2, fresh))).isEmpty();
    assertThat(store.findByPrincipal(principal)).containsExactly(fresh);
    assertThat(store.load(fresh)).isPresent();
    assertThat(store.load(old1)).isEmpty();
  }

  @Test
  void sweptRecordsAreReturnedAsStored() {
    String id = create(Map.of("cart", bytes("[1]")));
    clock.advance(IDLE);

    List<SessionRecord> swept = new ArrayList<>();
    for (List<SessionRecord> batch = store.sweepExpired(100);
        !batch.isEmpty();
        batch = store.sweepExpired(100)) {
      swept.addAll(batch);
    }

    SessionRecord mine =
        swept.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    assertThat(mine.attributeBytes("cart")).isEqualTo(bytes("[1]"));
    assertThat(mine.version()).isEqualTo(1);
  }

  @Test
  void sweepHonoursItsLimit() {
    for (int i = 0; i < 5; i++) {
      create(Map.of());
    }
    clock.advance(IDLE);

    assertThat(store.sweepExpired(2)).hasSizeLessThanOrEqualTo(2);
  }

  @Test
  void expiryIsProcessedOnceAcrossTwoStoreInstances() throws Exception {
    SessionStore peer = openStore();
    Set<String> mine = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      mine.add(createFor(newPrincipal()));
    }
    clock.advance(IDLE.plusSeconds(1));
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<List<String>>> sweepers = new ArrayList<>();
    for (SessionStore s : List.of(store, peer, store, peer)) {
      sweepers.add(
          () -> {
            start.await();
            return sweepAllOwn(s, mine, 5);
          });
    }
    List<List<String>> results = runConcurrently(sweepers, start);

    List<String> all = results.stream().flatMap(List::stream).toList();
    assertThat(all).as("every expired session claimed exactly once").hasSize(40);
    assertThat(new HashSet<>(all)).isEqualTo(mine);
  }

  // ---------------------------------------------------------------- principal index

  @Test
  void principalIndexFollowsCreatesAndPrincipalChanges() {
    String alice = newPrincipal();
    String bob = newPrincipal();
    String a1 = createFor(alice);
    String a2 = createFor(alice);
    String anon = create(Map.of());
    assertThat(store.findByPrincipal(alice)).containsExactlyInAnyOrder(a1, a2);

    store.save(SessionDelta.builder(a2, 1).principal(bob).build());
    store.save(SessionDelta.builder(anon, 1).principal(alice).build());
    assertThat(store.findByPrincipal(alice)).containsExactlyInAnyOrder(a1, anon);
    assertThat(store.findByPrincipal(bob)).containsExactly(a2);
    assertThat(store.load(a2).orElseThrow().principal()).isEqualTo(bob);

    store.save(SessionDelta.builder(a1, 1).principal(null).build());
    assertThat(store.findByPrincipal(alice)).containsExactly(anon);
    assertThat(store.load(a1).orElseThrow().principal()).isNull();
  }

  @Test
  void principalNamesMayHoldAnyCharacters() {
    String odd = "Zoë O'Brien <zoe@example.org> {*}:" + newPrincipal();
    String id = createFor(odd);

    assertThat(store.findByPrincipal(odd)).containsExactly(id);
    assertThat(store.load(id).orElseThrow().principal()).isEqualTo(odd);
    assertThat(store.findByPrincipal(odd.toUpperCase(java.util.Locale.ROOT))).isEmpty();
  }

  @Test
  void deleteRemovesThePrincipalIndexEntry() {
    String alice = newPrincipal();
    String a1 = createFor(alice);
    String a2 = createFor(alice);

    store.delete(a1);

    assertThat(store.findByPrincipal(alice)).containsExactly(a2);
    assertThat(store.findByPrincipal(newPrincipal())).isEmpty();
  }

  // ---------------------------------------------------------------- rotation

  @Test
  void rotateIdKeepsEverythingAndKillsTheOldId() {
    String alice = newPrincipal();
    String oldId = newId();
    store.create(
        SessionRecord.create(
            oldId, clock.instant(), IDLE, ABSOLUTE, alice, Map.of("cart", bytes("[7]"))));
    SessionRecord before = store.load(oldId).orElseThrow();
    String newId = newId();

    SaveResult r = store.rotateId(oldId, newId);

    assertThat(r).isEqualTo(SaveResult.saved(before.version() + 1));
    SessionRecord after = store.load(newId).orElseThrow();
    assertThat(after.attributes()).isEqualTo(before.attributes());
    assertThat(after.createdAt()).isEqualTo(before.createdAt());
    assertThat(after.lastAccessedAt()).isEqualTo(before.lastAccessedAt());
    assertThat(after.principal()).isEqualTo(alice);
    assertThat(after.version()).isEqualTo(r.version());
    assertThat(store.currentVersion(newId)).hasValue(r.version());

    assertThat(store.load(oldId)).isEmpty();
    assertThat(store.currentVersion(oldId)).isEmpty();
    assertThat(store.save(SessionDelta.builder(oldId, 1).set("x", bytes("x")).build()).outcome())
        .as("an in-flight save on the old id")
        .isEqualTo(Outcome.GONE);
    assertThat(
            store
                .create(SessionRecord.create(oldId, clock.instant(), IDLE, ABSOLUTE, null, Map.of()))
                .outcome())
        .as("the old id is tombstoned")
        .isEqualTo(Outcome.ID_TAKEN);
    assertThat(store.findByPrincipal(alice)).containsExactly(newId);
  }

  @Test
  void rotateIdOntoALiveIdIsRefusedAndChangesNothing() {
    String a = create(Map.of("who", bytes("a")));
    String b = create(Map.of("who", bytes("b")));

    assertThat(store.rotateId(a, b).outcome()).isEqualTo(Outcome.ID_TAKEN);

    assertThat(store.load(a).orElseThrow().attributeBytes("who")).isEqualTo(bytes("a"));
    assertThat(store.load(b).orElseThrow().attributeBytes("who")).isEqualTo(bytes("b"));
    assertThat(store.currentVersion(a)).hasValue(1);
  }

  @Test
  void savesRacingARotationAreCarriedOverOrGoneNeverLost() throws Exception {
    SessionStore peer = openStore();
    String oldId = create(Map.of());
    String newId = newId();
    CountDownLatch started = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> writer =
          pool.submit(
              () -> {
                int lastSaved = -1;
                for (int i = 0; i < 100_000; i++) {
                  SaveResult r =
                      peer.save(SessionDelta.builder(oldId, 1).set("n", bytes("" + i)).build());
                  started.countDown();
                  if (r.outcome() == Outcome.GONE) {
                    return lastSaved;
                  }
                  lastSaved = i;
                }
                return lastSaved;
              });
      started.await(30, TimeUnit.SECONDS);
      assertThat(store.rotateId(oldId, newId).outcome()).isEqualTo(Outcome.SAVED);
      int lastSaved = writer.get(30, TimeUnit.SECONDS);

      assertThat(lastSaved).isGreaterThanOrEqualTo(0);
      assertThat(store.load(newId).orElseThrow().attributeBytes("n"))
          .as("every save acknowledged before the rotation is in the rotated session")
          .isEqualTo(bytes("" + lastSaved));
      assertThat(store.load(oldId)).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rotatedSessionIsVisibleThroughAnotherInstance() {
    SessionStore peer = openStore();
    String oldId = create(Map.of("k", bytes("v")));
    String newId = newId();

    store.rotateId(oldId, newId);

    assertThat(peer.load(oldId)).isEmpty();
    assertThat(peer.load(newId).orElseThrow().attributeBytes("k")).isEqualTo(bytes("v"));
  }

  @Test
  void currentVersionTracksEveryWrite() {
    String id = create(Map.of());
    SessionStore peer = openStore();
    long v = 1;
    for (int i = 0; i < 5; i++) {
      SaveResult r = store.save(SessionDelta.builder(id, v).set("i", bytes("" + i)).build());
      v = r.version();
      assertThat(peer.currentVersion(id)).hasValue(v);
    }
    assertThat(v).isEqualTo(6);
  }

  // ---------------------------------------------------------------- helpers

  /** A fresh 256-bit URL-safe id. */
  protected static String newId() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A fresh principal name, so tests never see each other's index entries. */
  protected static String newPrincipal() {
    return "user-" + newId().substring(0, 12);
  }

  /** UTF-8 bytes of {@code s}. */
  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Creates an anonymous session with {@code attrs} in {@link #store}; returns its id. */
  protected String create(Map<String, byte[]> attrs) {
    String id = newId();
    SaveResult r =
        store.create(SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, null, attrs));
    assertThat(r.outcome()).isEqualTo(Outcome.SAVED);
    return id;
  }

  private String createFor(String principal) {
    String id = newId();
    SaveResult r =
        store.create(SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, principal, Map.of()));
    assertThat(r.outcome()).isEqualTo(Outcome.SAVED);
    return id;
  }

  private static List<String> sweepAllOwn(SessionStore s, Set<String> own) {
    return sweepAllOwn(s, own, 100);
  }

  private static List<String> sweepAllOwn(SessionStore s, Set<String> own, int limit) {
    List<String> mine = new ArrayList<>();
    for (List<SessionRecord> batch = s.sweepExpired(limit);
        !batch.isEmpty();
        batch = s.sweepExpired(limit)) {
      assertThat(batch).hasSizeLessThanOrEqualTo(limit);
      batch.stream().map(SessionRecord::id).filter(own::contains).forEach(mine::add);
    }
    return mine;
  }

  private static <T> List<T> runConcurrently(List<Callable<T>> tasks, CountDownLatch start)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> t : tasks) {
        futures.add(pool.submit(t));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
