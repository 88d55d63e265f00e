package dev.tether.session.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.spi.CountingSessionStore;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NearCacheStoreTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final MemorySessionStore shared = new MemorySessionStore(clock);
  private final CountingSessionStore backendA = new CountingSessionStore(shared);
  private final CountingSessionStore backendB = new CountingSessionStore(shared.peer(clock));
  private final NearCacheStore nodeA = new NearCacheStore(backendA, 100);
  private final NearCacheStore nodeB = new NearCacheStore(backendB, 100);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private String create(String id) {
    nodeA.create(
        SessionRecord.create(
            id,
            clock.instant(),
            Duration.ofMinutes(30),
            Duration.ofHours(8),
            null,
            Map.of("a", b("1"))));
    return id;
  }

  @Test
  void stickyRequestsCostOneVersionCheckAndNoFullRead() {
    String id = create("s1");
    for (int i = 0; i < 10; i++) {
      SessionRecord r = nodeA.load(id).orElseThrow();
      SaveResult saved =
          nodeA.save(SessionDelta.builder(id, r.version()).set("i", b("" + i)).build());
      assertThat(saved.isSaved()).isTrue();
    }

    assertThat(backendA.loads()).isZero();
    assertThat(backendA.versionChecks()).isEqualTo(10);
    assertThat(backendA.creates()).isEqualTo(1);
    assertThat(backendA.saves()).isEqualTo(10);
    assertThat(nodeA.hits()).isEqualTo(10);
    assertThat(nodeA.hitRatio()).isEqualTo(1.0);
    assertThat(nodeA.load(id).orElseThrow().attributeBytes("i")).isEqualTo(b("9"));
  }

  @Test
  void afterAnotherNodeWritesTheCacheIsNeverStale() {
    String id = create("s2");
    nodeA.load(id);
    SessionRecord onB = nodeB.load(id).orElseThrow();
    nodeB.save(SessionDelta.builder(id, onB.version()).set("a", b("fromB")).build());

    SessionRecord onA = nodeA.load(id).orElseThrow();

    assertThat(onA.attributeBytes("a")).isEqualTo(b("fromB"));
    assertThat(backendA.loads()).as("version mismatch forces a full read").isEqualTo(1);
  }

  @Test
  void concurrentForeignWriteDuringOwnSaveDropsTheEntry() {
    String id = create("s3");
    SessionRecord seen = nodeA.load(id).orElseThrow();
    nodeB.save(SessionDelta.builder(id, seen.version()).set("b", b("B")).build());
    nodeA.save(SessionDelta.builder(id, seen.version()).set("c", b("C")).build());

    SessionRecord r = nodeA.load(id).orElseThrow();

    assertThat(r.attributeBytes("b")).isEqualTo(b("B"));
    assertThat(r.attributeBytes("c")).isEqualTo(b("C"));
    assertThat(backendA.loads()).isEqualTo(1);
  }

  @Test
  void deleteOnAnotherNodeIsSeenImmediately() {
    String id = create("s4");
    nodeA.load(id);
    nodeB.delete(id);

    assertThat(nodeA.load(id)).isEmpty();
    assertThat(nodeA.size()).isZero();
  }

  @Test
  void cacheIsBounded() {
    NearCacheStore small = new NearCacheStore(backendA, 2);
    for (String id : new String[] {"x1", "x2", "x3"}) {
      small.create(
          SessionRecord.create(
              id, clock.instant(), Duration.ofMinutes(1), Duration.ofHours(1), null, Map.of()));
    }
    assertThat(small.size()).isEqualTo(2);
  }
}
