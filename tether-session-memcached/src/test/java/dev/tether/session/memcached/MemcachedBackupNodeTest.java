package dev.tether.session.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.testing.net.FreePorts;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * The backup node: a ring of two shared nodes and one this test owns; the owned node is killed
 * while four threads write, then restarted. Each thread writes its own attribute of every session
 * with an increasing number (idempotent, so a save that failed with the node is simply retried), so
 * a lost update shows as a stored number below the last acknowledged one.
 */
class MemcachedBackupNodeTest {

  private static final int SESSIONS = 120;
  private static final int THREADS = 4;

  @Test
  void killingANodeUnderLoadLosesNoSessionAndNoUpdate() throws Exception {
    List<InetSocketAddress> shared = MemcachedTestNodes.nodes();
    try (LocalMemcached own = new LocalMemcached(FreePorts.loopback(1).get(0)).start()) {
      List<InetSocketAddress> nodes = List.of(shared.get(0), shared.get(1), own.address());
      MemcachedSessionStoreConfig config =
          new MemcachedSessionStoreConfig(
              nodes,
              MemcachedTestNodes.uniquePrefix("backup"),
              Duration.ofMillis(500),
              Duration.ofMillis(200),
              Duration.ofMinutes(10),
              Duration.ofMinutes(1));
      try (MemcachedSessionStore store = new MemcachedSessionStore(config, Clock.systemUTC())) {
        NodeRing ring = new NodeRing(nodes);
        int ownIndex = ring.nodes().indexOf(own.address());
        List<String> ids = new ArrayList<>();
        int onOwn = 0;
        for (int i = 0; i < SESSIONS; i++) {
          String id = UUID.randomUUID().toString();
          store.create(
              SessionRecord.create(
                  id,
                  Clock.systemUTC().instant(),
                  Duration.ofMinutes(30),
                  Duration.ofHours(8),
                  null,
                  Map.of()));
          ids.add(id);
          int[] order = ring.order(store.sessionKey(id));
          onOwn += order[0] == ownIndex || order[1] == ownIndex ? 1 : 0;
        }
        assertThat(onOwn)
            .as("sessions with the killed node as primary or backup")
            .isGreaterThan(20);

        AtomicLongArray acked = new AtomicLongArray(SESSIONS * THREADS);
        AtomicLong saves = new AtomicLong();
        AtomicLong failedCalls = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          writers.add(
              pool.submit(
                  () -> {
                    for (long n = 1; !stop.get(); n++) {
                      for (int s = 0; s < SESSIONS && !stop.get(); s++) {
                        saveUntilAcked(store, ids.get(s), thread, n, failedCalls);
                        acked.set(s * THREADS + thread, n);
                        saves.incrementAndGet();
                      }
                    }
                    return null;
                  }));
        }
        try {
          await().atMost(Duration.ofSeconds(30)).until(() -> saves.get() > 600);
          own.kill();
          long atKill = saves.get();
          await().atMost(Duration.ofSeconds(60)).until(() -> saves.get() > atKill + 1200);
        } finally {
          stop.set(true);
          pool.shutdown();
          assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        for (Future<?> w : writers) {
          w.get();
        }
        assertThat(store.nodesUp()).isEqualTo(2);
        assertAllReadableWithNoLostUpdate(store, ids, acked);

        own.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> store.nodesUp() == 3);
        assertAllReadableWithNoLostUpdate(store, ids, acked);
        for (int s = 0; s < SESSIONS; s++) {
          long v = store.load(ids.get(s)).orElseThrow().version();
          SaveResult r =
              store.save(SessionDelta.builder(ids.get(s), v).set("after", bytes("1")).build());
          assertThat(r.isSaved()).isTrue();
        }
        for (String id : ids) {
          assertThat(store.load(id).orElseThrow().attributeBytes("after")).isEqualTo(bytes("1"));
        }
      }
    }
  }

  private static void saveUntilAcked(
      MemcachedSessionStore store, String id, int thread, long n, AtomicLong failedCalls) {
    while (true) {
      try {
        SessionRecord seen = store.load(id).orElseThrow();
        SaveResult r =
            store.save(
                SessionDelta.builder(id, seen.version())
                    .set("t" + thread, bytes(Long.toString(n)))
                    .build());
        if (!r.isSaved()) {
          throw new AssertionError("session lost: save answered " + r.outcome());
        }
        return;
      } catch (IllegalStateException e) {
        failedCalls.incrementAndGet();
      }
    }
  }

  private static void assertAllReadableWithNoLostUpdate(
      MemcachedSessionStore store, List<String> ids, AtomicLongArray acked) {
    int lost = 0;
    for (int s = 0; s < ids.size(); s++) {
      SessionRecord r =
          store.load(ids.get(s)).orElseThrow(() -> new AssertionError("a session is gone"));
      for (int t = 0; t < THREADS; t++) {
        long want = acked.get(s * THREADS + t);
        byte[] got = r.attributeBytes("t" + t);
        long have = got == null ? 0 : Long.parseLong(new String(got, StandardCharsets.UTF_8));
        lost += have < want ? 1 : 0;
      }
    }
    assertThat(lost).as("updates acknowledged but not stored").isZero();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
