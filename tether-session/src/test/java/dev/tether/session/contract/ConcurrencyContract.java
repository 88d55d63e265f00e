package dev.tether.session.contract;

import static dev.tether.session.contract.StoreContractSupport.bytes;
import static dev.tether.session.contract.StoreContractSupport.runConcurrently;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SaveResult.Outcome;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.util.ArrayList;
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
 * Concurrent writers: per-attribute conflicts (last writer wins, reported), many writers through
 * one or two instances, and a logout racing saves.
 */
public interface ConcurrencyContract extends StoreContract {

  @Test
  default void concurrentChangesOfDifferentAttributesBothPersistWithoutConflict() {
    String id = create(Map.of());
    long base = store().load(id).orElseThrow().version();

    SaveResult first = store().save(SessionDelta.builder(id, base).set("a", bytes("A")).build());
    SaveResult second = store().save(SessionDelta.builder(id, base).set("b", bytes("B")).build());

    assertThat(first).isEqualTo(SaveResult.saved(2));
    assertThat(second).isEqualTo(SaveResult.saved(3));
    SessionRecord s = store().load(id).orElseThrow();
    assertThat(s.attributeBytes("a")).isEqualTo(bytes("A"));
    assertThat(s.attributeBytes("b")).isEqualTo(bytes("B"));
  }

  @Test
  default void conflictOnOneAttributeIsLastWriterWinsAndReported() {
    String id = create(Map.of("x", bytes("0"), "y", bytes("0")));

    SaveResult first = store().save(SessionDelta.builder(id, 1).set("x", bytes("first")).build());
    SaveResult second =
        store()
            .save(
                SessionDelta.builder(id, 1)
                    .set("x", bytes("second"))
                    .set("y", bytes("y2"))
                    .build());

    assertThat(first.conflicts()).isEmpty();
    assertThat(second.outcome()).isEqualTo(Outcome.SAVED);
    assertThat(second.conflicts()).containsExactly("x");
    SessionRecord s = store().load(id).orElseThrow();
    assertThat(s.attributeBytes("x")).isEqualTo(bytes("second"));
    assertThat(s.attributeBytes("y")).isEqualTo(bytes("y2"));
  }

  @Test
  default void removingAnAttributeChangedMeanwhileIsAConflict() {
    String id = create(Map.of("x", bytes("0")));
    store().save(SessionDelta.builder(id, 1).set("x", bytes("1")).build());

    SaveResult r = store().save(SessionDelta.builder(id, 1).remove("x").build());

    assertThat(r.conflicts()).containsExactly("x");
    assertThat(store().load(id).orElseThrow().attributes()).doesNotContainKey("x");
  }

  @Test
  default void writerThatSawTheLatestVersionHasNoConflict() {
    String id = create(Map.of("x", bytes("0")));
    SaveResult first = store().save(SessionDelta.builder(id, 1).set("x", bytes("1")).build());

    SaveResult second =
        store().save(SessionDelta.builder(id, first.version()).set("x", bytes("2")).build());

    assertThat(second.conflicts()).isEmpty();
    assertThat(second.version()).isEqualTo(first.version() + 1);
  }

  @Test
  default void fiftyConcurrentWritersOfDistinctAttributesAllPersist() throws Exception {
    String id = create(Map.of());
    int writers = 50;
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<SaveResult>> tasks = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      String name = "w" + i;
      tasks.add(
          () -> {
            start.await();
            SessionRecord seen = store().load(id).orElseThrow();
            return store()
                .save(
                    SessionDelta.builder(id, seen.version())
                        .set(name, bytes(name))
                        .lastAccessedAt(clock().instant())
                        .build());
          });
    }
    List<SaveResult> results = runConcurrently(tasks, start);

    assertThat(results).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.SAVED));
    assertThat(results).allSatisfy(r -> assertThat(r.conflicts()).isEmpty());
    assertThat(results.stream().map(SaveResult::version).distinct().count()).isEqualTo(writers);
    SessionRecord s = store().load(id).orElseThrow();
    assertThat(s.attributes()).hasSize(writers);
    for (int i = 0; i < writers; i++) {
      assertThat(s.attributeBytes("w" + i)).isEqualTo(bytes("w" + i));
    }
    assertThat(s.version()).isEqualTo(1 + writers);
  }

  @Test
  default void fiftyWritersThroughTwoStoreInstancesAllPersist() throws Exception {
    SessionStore peer = openStore();
    String id = create(Map.of());
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<SaveResult>> tasks = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      SessionStore via = i % 2 == 0 ? store() : peer;
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

  @Test
  default void logoutRacingSavesNeverResurrects() throws Exception {
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
                  return store().delete(id);
                });

        assertThat(logout.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(writer.get(30, TimeUnit.SECONDS))
            .as("the writer must see GONE after the delete")
            .isEqualTo(Outcome.GONE);
        assertThat(store().load(id)).isEmpty();
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
