package dev.tether.testing.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SaveResult.Outcome;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The first half of the store contract: basics, deltas and conflicts, concurrency, tombstones.
 * Extend {@link SessionStoreContract}, not this class.
 */
public abstract class SessionStoreCoreContract extends StoreContractSupport {
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

}
