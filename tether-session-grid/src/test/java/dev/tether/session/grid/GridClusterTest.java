package dev.tether.session.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.testing.net.FreePorts;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A three-member cluster with encrypted traffic: it forms, keeps out a member with another key,
 * replicates, and loses nothing when a member stops in the middle of concurrent writes (last, since
 * it shrinks the cluster).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GridClusterTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final Duration ABSOLUTE = Duration.ofHours(8);

  private static TestCluster cluster;
  private final Clock clock = Clock.systemUTC();

  @BeforeAll
  static void startCluster() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    cluster = TestCluster.start(3, key);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void encryptedMembersFormOneClusterAndAMemberWithAnotherKeyCannotJoin() {
    for (int i = 0; i < 3; i++) {
      assertThat(cluster.member(i).members()).hasSize(3);
    }
    byte[] otherKey = new byte[32];
    RANDOM.nextBytes(otherKey);
    GridSettings base = cluster.settings(0);
    GridSettings intruder =
        new GridSettings(
            base.clusterName(),
            "127.0.0.1",
            FreePorts.loopback(1).get(0),
            0,
            base.initialMembers(),
            2,
            otherKey,
            Duration.ofSeconds(1),
            base.expiryGrace());
    try (GridMember outsider = GridMember.start(intruder)) {
      assertThat(outsider.members()).as("the outsider is alone").hasSize(1);
      assertThat(cluster.member(0).members()).hasSize(3);
    }
  }

  @Test
  @Order(2)
  void sessionsReplicateOverEncryptedTraffic() {
    SessionStore first = new GridSessionStore(cluster.member(0), clock);
    SessionStore third = new GridSessionStore(cluster.member(2), clock);
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    first.create(
        SessionRecord.create(
            id, clock.instant(), Duration.ofMinutes(30), Duration.ofHours(8), "alice", Map.of()));

    int rounds = 200;
    long t0 = System.nanoTime();
    long v = 1;
    for (int i = 0; i < rounds; i++) {
      SessionStore via = i % 2 == 0 ? first : third;
      SaveResult r = via.save(SessionDelta.builder(id, v).set("n", bytes("" + i)).build());
      v = r.version();
    }
    double saves = rounds / ((System.nanoTime() - t0) / 1e9);
    System.out.printf("grid store, 3 encrypted members, one thread: %.0f saves/s%n", saves);

    assertThat(third.load(id).orElseThrow().attributeBytes("n"))
        .isEqualTo(bytes("" + (rounds - 1)));
    assertThat(first.findByPrincipal("alice")).containsExactly(id);
  }

  @Test
  @Order(3)
  void everyMemberNamesTheSameTwoOwnersByInstanceNameAndOwnersReadLocally() {
    assertThat(cluster.member(0).members()).containsExactlyInAnyOrder("s1", "s2", "s3");
    GridSessionStore[] stores = new GridSessionStore[3];
    for (int i = 0; i < 3; i++) {
      stores[i] = new GridSessionStore(cluster.member(i), clock);
    }
    String id = newId();
    stores[0].create(SessionRecord.create(id, clock.instant(), IDLE, ABSOLUTE, null, Map.of()));
    List<String> owners = stores[0].owners(id);
    assertThat(owners).hasSize(2).doesNotHaveDuplicates().isSubsetOf("s1", "s2", "s3");
    for (GridSessionStore s : stores) {
      assertThat(s.owners(id))
          .as("every member sees the same owners, primary first")
          .isEqualTo(owners);
    }
    for (int i = 0; i < 3; i++) {
      GridSessionStore s = stores[i];
      long local = s.localReads();
      long remote = s.remoteReads();
      assertThat(s.load(id)).isPresent();
      assertThat(s.currentVersion(id)).isPresent();
      boolean owner = owners.contains("s" + (i + 1));
      assertThat(s.localReads() - local).as("s%d local reads", i + 1).isEqualTo(owner ? 2 : 0);
      assertThat(s.remoteReads() - remote).as("s%d remote reads", i + 1).isEqualTo(owner ? 0 : 2);
    }
    GridSettings unnamed =
        new GridSettings(
            "c",
            "127.0.0.1",
            7800,
            0,
            cluster.settings(0).initialMembers(),
            2,
            null,
            Duration.ofSeconds(1),
            Duration.ofMinutes(15));
    assertThat(unnamed.instanceName()).isNull();
  }

  @Test
  @Order(4)
  void stoppingAMemberMidWriteLosesNothing() throws Exception {
    SessionStore viaFirst = new GridSessionStore(cluster.member(0), clock);
    SessionStore viaSecond = new GridSessionStore(cluster.member(1), clock);
    SessionStore viaThird = new GridSessionStore(cluster.member(2), clock);
    List<SessionStore> all = List.of(viaFirst, viaSecond, viaThird);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      String id = newId();
      SaveResult r =
          all.get(i % 3)
              .create(
                  SessionRecord.create(
                      id, Instant.now(clock), IDLE, ABSOLUTE, null, Map.of("n", bytes("" + i))));
      assertThat(r.isSaved()).isTrue();
      ids.add(id);
    }
    String shared = ids.get(0);
    int writers = 8;
    AtomicIntegerArray acknowledged = new AtomicIntegerArray(writers);
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int w = 0; w < writers; w++) {
        int writer = w;
        SessionStore via = w % 2 == 0 ? viaFirst : viaSecond;
        running.add(
            pool.submit(
                () -> {
                  for (int i = 1; !stop.get(); i++) {
                    long v = via.load(shared).orElseThrow().version();
                    SaveResult r =
                        via.save(
                            SessionDelta.builder(shared, v)
                                .set("w" + writer, bytes("" + i))
                                .build());
                    assertThat(r.isSaved()).isTrue();
                    acknowledged.set(writer, i);
                  }
                  return null;
                }));
      }
      int[] start = new int[writers];
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> writersAlive(running) && progressedBy(acknowledged, start, 20));
      int[] beforeStop = snapshot(acknowledged);

      cluster.member(2).close();

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> writersAlive(running) && progressedBy(acknowledged, beforeStop, 20));
      stop.set(true);
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }

    assertThat(cluster.member(0).members()).hasSize(2);
    assertThat(busyThreads(Duration.ofSeconds(1)))
        .as("threads of the idle survivors that kept a core busy after the member left")
        .isEmpty();
    for (SessionStore survivor : List.of(viaFirst, viaSecond)) {
      SessionRecord s = survivor.load(shared).orElseThrow();
      for (int w = 0; w < writers; w++) {
        assertThat(s.attributeBytes("w" + w))
            .as("writer %d's last acknowledged save", w)
            .isEqualTo(bytes("" + acknowledged.get(w)));
      }
      for (int i = 1; i < ids.size(); i++) {
        assertThat(survivor.load(ids.get(i)))
            .as("session %d written before the stop", i)
            .hasValueSatisfying(r -> assertThat(r.attributeBytes("n")).isNotNull());
      }
    }
  }

  /**
   * The threads of this JVM that used more than half a core over {@code window}: with nothing being
   * written, a grid member's threads should all be waiting.
   */
  private static List<String> busyThreads(Duration window) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Long> before = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      before.put(id, threads.getThreadCpuTime(id));
    }
    await().pollDelay(window).atMost(window.multipliedBy(2)).until(() -> true);
    List<String> busy = new ArrayList<>();
    for (Map.Entry<Long, Long> e : before.entrySet()) {
      long after = threads.getThreadCpuTime(e.getKey());
      ThreadInfo info = threads.getThreadInfo(e.getKey());
      if (after > 0
          && e.getValue() > 0
          && after - e.getValue() > window.toNanos() / 2
          && info != null) {
        busy.add(info.getThreadName() + " " + (after - e.getValue()) / 1_000_000 + " ms");
      }
    }
    return busy;
  }

  /** Fails at once with the writer's error instead of waiting for progress that cannot come. */
  private static boolean writersAlive(List<Future<?>> running) throws Exception {
    for (Future<?> f : running) {
      if (f.isDone()) {
        f.get();
        throw new AssertionError("a writer stopped early");
      }
    }
    return true;
  }

  private static int[] snapshot(AtomicIntegerArray a) {
    int[] s = new int[a.length()];
    for (int i = 0; i < s.length; i++) {
      s[i] = a.get(i);
    }
    return s;
  }

  private static boolean progressedBy(AtomicIntegerArray a, int[] before, int steps) {
    for (int i = 0; i < before.length; i++) {
      if (a.get(i) < before[i] + steps) {
        return false;
      }
    }
    return true;
  }

  private static String newId() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
