package dev.tether.session.grid;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.contract.SessionStoreContract;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The grid store against the shared contract on a three-member cluster in this JVM; each store the
 * suite opens talks to the next member in turn, so "two store instances" are two members.
 */
class GridSessionStoreTest extends SessionStoreContract {

  private static TestCluster cluster;
  private final AtomicInteger next = new AtomicInteger();

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.start(3, null);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected SessionStore createStore(Clock clock) {
    return new GridSessionStore(cluster.member(next.getAndIncrement() % cluster.size()), clock);
  }

  @Test
  void allThreeMembersFormOneCluster() {
    for (int i = 0; i < 3; i++) {
      assertThat(cluster.member(i).members()).hasSize(3);
    }
  }

  @Test
  void fiftyWritersThroughThreeMembersAllPersist() throws Exception {
    List<SessionStore> stores = List.of(store, openStore(), openStore());
    String id = create(Map.of());
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      List<Future<SaveResult>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        SessionStore via = stores.get(i % 3);
        String name = "w" + i;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  long v = via.load(id).orElseThrow().version();
                  return via.save(SessionDelta.builder(id, v).set(name, bytes(name)).build());
                }));
      }
      start.countDown();
      for (Future<SaveResult> f : results) {
        SaveResult r = f.get(60, TimeUnit.SECONDS);
        assertThat(r.isSaved()).isTrue();
        assertThat(r.conflicts()).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
    for (SessionStore s : stores) {
      SessionRecord seen = s.load(id).orElseThrow();
      assertThat(seen.attributes()).hasSize(50);
      assertThat(seen.version()).isEqualTo(51);
      for (int i = 0; i < 50; i++) {
        assertThat(seen.attributeBytes("w" + i)).isEqualTo(bytes("w" + i));
      }
    }
  }

  @Test
  void tombstoneBlocksTheIdOnEveryMember() {
    SessionStore second = openStore();
    SessionStore third = openStore();
    String id = create(Map.of("a", bytes("1")));

    assertThat(second.delete(id)).isTrue();

    assertThat(third.load(id)).isEmpty();
    assertThat(third.save(SessionDelta.builder(id, 1).set("b", bytes("2")).build()).outcome())
        .isEqualTo(SaveResult.Outcome.GONE);
    assertThat(
            third
                .create(SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, null, Map.of()))
                .outcome())
        .isEqualTo(SaveResult.Outcome.ID_TAKEN);
  }

  @Test
  void gridLifespanIsASafetyNetBeyondTheLogicalLifetime() {
    GridSessionStore grid = (GridSessionStore) store;
    long grace = grid.member().settings().expiryGrace().toMillis();
    String id = create(Map.of());
    assertThat(grid.member().sessions().getAdvancedCache().getCacheEntry(id).getLifespan())
        .as("logical lifetime left plus the grace")
        .isEqualTo(IDLE.toMillis() + grace);

    clock.advance(java.time.Duration.ofMinutes(10));
    store.delete(id);

    assertThat(grid.member().sessions().getAdvancedCache().getCacheEntry(id).getLifespan())
        .as("a tombstone lives one idle timeout plus the grace")
        .isEqualTo(IDLE.toMillis() + grace);
    assertThat(store.load(id)).isEmpty();
  }

  @Test
  void throughputIsReported() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ids.add(create(Map.of("cart", new byte[512])));
    }
    Map<String, Long> versions = new java.util.HashMap<>();
    int rounds = 2_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      String id = ids.get(i % ids.size());
      long v = versions.getOrDefault(id, 1L);
      versions.put(
          id, store.save(SessionDelta.builder(id, v).set("n", bytes("" + i)).build()).version());
    }
    long t1 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      assertThat(store.load(ids.get(i % ids.size()))).isPresent();
    }
    long t2 = System.nanoTime();
    System.out.printf(
        "grid store, 3 members, 100 sessions, one thread: %.0f saves/s, %.0f loads/s%n",
        rounds / ((t1 - t0) / 1e9), rounds / ((t2 - t1) / 1e9));
    assertThat(versions.values()).allSatisfy(v -> assertThat(v).isEqualTo(1 + rounds / ids.size()));
  }

  @Test
  void concurrentThroughputIsReported() throws Exception {
    List<SessionStore> stores = List.of(store, openStore(), openStore());
    int threads = 8;
    int perThread = 300;
    List<String> ids = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      ids.add(create(Map.of("cart", new byte[512])));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long t0 = System.nanoTime();
      List<Future<Long>> saved = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SessionStore via = stores.get(t % 3);
        String id = ids.get(t);
        saved.add(
            pool.submit(
                () -> {
                  long v = 1;
                  for (int i = 0; i < perThread; i++) {
                    v =
                        via.save(SessionDelta.builder(id, v).set("n", bytes("" + i)).build())
                            .version();
                  }
                  return v;
                }));
      }
      for (Future<Long> f : saved) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(1 + perThread);
      }
      long t1 = System.nanoTime();
      List<Future<Integer>> loaded = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SessionStore via = stores.get(t % 3);
        String id = ids.get(t);
        loaded.add(
            pool.submit(
                () -> {
                  int n = 0;
                  for (int i = 0; i < perThread * 4; i++) {
                    n += via.load(id).isPresent() ? 1 : 0;
                  }
                  return n;
                }));
      }
      for (Future<Integer> f : loaded) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(perThread * 4);
      }
      long t2 = System.nanoTime();
      System.out.printf(
          "grid store, 3 members, %d threads on %d sessions: %.0f saves/s, %.0f loads/s%n",
          threads,
          threads,
          threads * perThread / ((t1 - t0) / 1e9),
          threads * perThread * 4 / ((t2 - t1) / 1e9));
    } finally {
      pool.shutdownNow();
    }
  }
}
