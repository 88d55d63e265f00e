package dev.tether.session.contract;

import static dev.tether.session.contract.StoreContractSupport.assertUnsupported;
import static dev.tether.session.contract.StoreContractSupport.bytes;
import static dev.tether.session.contract.StoreContractSupport.newId;
import static dev.tether.session.contract.StoreContractSupport.newPrincipal;
import static dev.tether.session.contract.StoreContractSupport.runConcurrently;
import static dev.tether.session.contract.StoreContractSupport.sweepAllOwn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.spi.SaveResult.Outcome;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.StoreCapability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Expiry: idle and absolute timeouts at the store's clock, and the sweep (an optional part, {@link
 * StoreCapability#EXPIRY_SWEEP}).
 */
public interface ExpiryContract extends StoreContract {

  @Test
  default void idleExpirySlidesWithEachAccess() {
    String id = create(Map.of("a", bytes("1")));
    clock().advance(IDLE.minusMinutes(1));
    assertThat(store().load(id)).isPresent();
    long v = store().load(id).orElseThrow().version();
    store().save(SessionDelta.builder(id, v).lastAccessedAt(clock().instant()).build());

    clock().advance(IDLE.minusMinutes(1));
    assertThat(store().load(id)).as("the access moved idle expiry").isPresent();

    clock().advance(Duration.ofMinutes(1));
    assertThat(store().load(id)).as("expired exactly at last access + idle").isEmpty();
    assertThat(store().currentVersion(id)).isEmpty();
    assertThat(store().save(SessionDelta.builder(id, v + 1).set("b", bytes("2")).build()).outcome())
        .isEqualTo(Outcome.GONE);
    assertThat(store().rotateId(id, newId()).outcome()).isEqualTo(Outcome.GONE);
  }

  @Test
  default void absoluteExpiryHoldsHoweverActiveTheSessionIs() {
    Duration absolute = Duration.ofHours(1);
    String id = newId();
    store().create(SessionRecord.create(id, clock().instant(), IDLE, absolute, null, Map.of()));
    for (int i = 0; i < 5; i++) {
      clock().advance(Duration.ofMinutes(11));
      long v = store().load(id).orElseThrow().version();
      store().save(SessionDelta.builder(id, v).lastAccessedAt(clock().instant()).build());
    }
    assertThat(store().load(id)).as("55 minutes, active").isPresent();

    clock().advance(Duration.ofMinutes(5));

    assertThat(store().load(id)).as("absolute timeout reached").isEmpty();
    assertThat(store().currentVersion(id)).isEmpty();
  }

  @Test
  default void sweepRemovesExpiredSessionsOnceAndCleansThePrincipalIndex() {
    if (!supports(StoreCapability.EXPIRY_SWEEP)) {
      assertUnsupported(StoreCapability.EXPIRY_SWEEP, () -> store().sweepExpired(100));
      return;
    }
    String principal = newPrincipal();
    String old1 = createFor(principal);
    String old2 = createFor(principal);
    clock().advance(Duration.ofMinutes(20));
    String fresh = createFor(principal);
    clock().advance(Duration.ofMinutes(11));

    List<String> swept = sweepAllOwn(store(), Set.of(old1, old2, fresh));

    assertThat(swept).containsExactlyInAnyOrder(old1, old2);
    assertThat(sweepAllOwn(store(), Set.of(old1, old2, fresh))).isEmpty();
    assertPrincipalIndex(store(), principal, fresh);
    assertThat(store().load(fresh)).isPresent();
    assertThat(store().load(old1)).isEmpty();
  }

  @Test
  default void sweptRecordsAreReturnedAsStored() {
    if (!supports(StoreCapability.EXPIRY_SWEEP)) {
      assertUnsupported(StoreCapability.EXPIRY_SWEEP, () -> store().sweepExpired(100));
      return;
    }
    String id = create(Map.of("cart", bytes("[1]")));
    clock().advance(IDLE);

    List<SessionRecord> swept = new ArrayList<>();
    for (List<SessionRecord> batch = store().sweepExpired(100);
        !batch.isEmpty();
        batch = store().sweepExpired(100)) {
      swept.addAll(batch);
    }

    SessionRecord mine = swept.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    assertThat(mine.attributeBytes("cart")).isEqualTo(bytes("[1]"));
    assertThat(mine.version()).isEqualTo(1);
  }

  @Test
  default void sweepHonoursItsLimit() {
    if (!supports(StoreCapability.EXPIRY_SWEEP)) {
      assertUnsupported(StoreCapability.EXPIRY_SWEEP, () -> store().sweepExpired(100));
      return;
    }
    for (int i = 0; i < 5; i++) {
      create(Map.of());
    }
    clock().advance(IDLE);

    assertThat(store().sweepExpired(2)).hasSizeLessThanOrEqualTo(2);
  }

  @Test
  default void expiryIsProcessedOnceAcrossTwoStoreInstances() throws Exception {
    if (!supports(StoreCapability.EXPIRY_SWEEP)) {
      assertUnsupported(StoreCapability.EXPIRY_SWEEP, () -> store().sweepExpired(100));
      return;
    }
    SessionStore peer = openStore();
    Set<String> mine = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      mine.add(createFor(newPrincipal()));
    }
    clock().advance(IDLE.plusSeconds(1));
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<List<String>>> sweepers = new ArrayList<>();
    for (SessionStore s : List.of(store(), peer, store(), peer)) {
      sweepers.add(
          () -> {
            start.await();
            return sweepAllOwn(s, mine, 5);
          });
    }
    List<List<String>> results = runConcurrently(sweepers, start);
    // A sweeper stops at its first empty batch, and with SKIP LOCKED a batch can come back empty
    // while another sweeper still holds rows it does not end up claiming (seen once on MariaDB);
    // such rows are the next sweep's, as in production. One more sweep claims what is left, and
    // nothing may be claimed twice.
    List<String> all = new ArrayList<>(results.stream().flatMap(List::stream).toList());
    all.addAll(sweepAllOwn(store(), mine, 5));
    assertThat(all).as("every expired session claimed exactly once").hasSize(40);
    assertThat(new HashSet<>(all)).isEqualTo(mine);
  }
}
