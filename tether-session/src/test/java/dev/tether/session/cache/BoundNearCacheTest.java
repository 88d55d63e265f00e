package dev.tether.session.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.spi.CountingSessionStore;
import dev.tether.session.spi.ForwardingSessionStore;
import dev.tether.session.spi.Invalidations;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.testing.time.SettableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sticky hits under the balancer's binding: no store call at all, and yet every change made
 * elsewhere (an adoption by another node, a save that bypassed the binding, a delete, a rotation,
 * expiry) is seen at once.
 */
class BoundNearCacheTest {

  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final MemorySessionStore shared = new MemorySessionStore(clock);
  private final CountingSessionStore backendA = new CountingSessionStore(shared);
  private final CountingSessionStore backendB = new CountingSessionStore(shared.peer(clock));
  private final NearCacheStore nodeA = NearCacheStore.trustingBindings(backendA, 100, clock);
  private final NearCacheStore nodeB = NearCacheStore.trustingBindings(backendB, 100, clock);

  private static final String ON_A = "a; epoch=1";
  private static final String ON_B = "b; epoch=2";

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
            Map.of("cart", b("apple"))));
    return id;
  }

  private static long reads(CountingSessionStore s) {
    return s.loads() + s.versionChecks();
  }

  /** {@code store} without its publish/subscribe channel: a backend that has none. */
  private static SessionStore withoutChannel(SessionStore store) {
    return new ForwardingSessionStore(store) {
      @Override
      public Invalidations invalidations() {
        return null;
      }
    };
  }

  @Test
  void stickyHitsUnderTheSameBindingCostNoStoreCall() {
    String id = create("s1");
    nodeA.load(id, ON_A); // validated once and bound
    long before = reads(backendA);
    for (int i = 0; i < 100; i++) {
      SessionRecord r = nodeA.load(id, ON_A).orElseThrow();
      nodeA.save(SessionDelta.builder(id, r.version()).set("n", b("" + i)).build());
    }
    assertThat(reads(backendA) - before).as("store reads for 100 sticky hits").isZero();
    assertThat(nodeA.boundHits()).isEqualTo(100);
    assertThat(nodeA.published())
        .as("sticky saves publish nothing; the adoption once")
        .isEqualTo(1);
    assertThat(nodeA.load(id, ON_A).orElseThrow().attributeBytes("n")).isEqualTo(b("99"));
    assertThat(nodeA.load(id, "a; epoch=9")).isPresent();
    assertThat(reads(backendA) - before).as("another binding is validated").isEqualTo(1);
  }

  @Test
  void aDeleteOnAnotherNodeIsSeenByTheNextStickyHit() {
    String id = create("s2");
    nodeA.load(id, ON_A);
    nodeA.load(id, ON_A);
    assertThat(nodeB.delete(id)).isTrue(); // an admin or concurrent-limit invalidation elsewhere
    assertThat(nodeA.load(id, ON_A)).as("the old session is never served").isEmpty();
  }

  @Test
  void anAdoptionOrASaveElsewhereIsSeenByTheNextStickyHit() {
    String id = create("s3");
    nodeA.load(id, ON_A);
    // A failover: B serves the session under its binding and changes the cart.
    SessionRecord onB = nodeB.load(id, ON_B).orElseThrow();
    nodeB.save(SessionDelta.builder(id, onB.version()).set("cart", b("apple,pear")).build());
    assertThat(nodeA.load(id, ON_A).orElseThrow().attributeBytes("cart"))
        .isEqualTo(b("apple,pear"));

    // A save on B without a binding (a request that bypassed the balancer) publishes too.
    nodeA.load(id, ON_A);
    NearCacheStore nodeC =
        NearCacheStore.trustingBindings(new CountingSessionStore(shared.peer(clock)), 100, clock);
    SessionRecord onC = nodeC.load(id).orElseThrow();
    nodeC.save(SessionDelta.builder(id, onC.version()).set("cart", b("plum")).build());
    assertThat(nodeA.load(id, ON_A).orElseThrow().attributeBytes("cart")).isEqualTo(b("plum"));
  }

  @Test
  void aRotationElsewhereOrExpiryEndsTheBoundCopy() {
    String id = create("s4");
    nodeA.load(id, ON_A);
    nodeB.rotateId(id, "s4-new");
    assertThat(nodeA.load(id, ON_A)).isEmpty();

    String other = create("s5");
    nodeA.load(other, ON_A);
    clock.advance(Duration.ofMinutes(31));
    assertThat(nodeA.load(other, ON_A)).as("idle past its timeout at the cache's clock").isEmpty();
  }

  @Test
  void withoutAChannelOrWithoutTrustTheBindingIsIgnored() {
    CountingSessionStore plain = new CountingSessionStore(withoutChannel(shared.peer(clock)));
    NearCacheStore cache = NearCacheStore.trustingBindings(plain, 100, clock);
    String id = create("s6");
    cache.load(id, ON_A);
    cache.load(id, ON_A);
    cache.load(id, ON_A);
    assertThat(cache.boundHits()).isZero();
    assertThat(plain.versionChecks()).as("every read validated").isEqualTo(2);

    CountingSessionStore withChannel = new CountingSessionStore(shared.peer(clock));
    NearCacheStore untrusting = new NearCacheStore(withChannel, 100, clock);
    untrusting.load(id, ON_A);
    untrusting.load(id, ON_A);
    SessionRecord r = untrusting.load(id, ON_A).orElseThrow();
    untrusting.save(SessionDelta.builder(id, r.version()).set("x", b("1")).build());
    assertThat(untrusting.boundHits()).isZero();
    assertThat(untrusting.published()).as("the plain cache publishes nothing").isZero();
    assertThat(withChannel.versionChecks()).isEqualTo(2);
  }
}
