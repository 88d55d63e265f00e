package dev.tether.session.contract;

import static dev.tether.session.contract.StoreContractSupport.bytes;
import static dev.tether.session.contract.StoreContractSupport.newId;
import static dev.tether.session.contract.StoreContractSupport.newPrincipal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SaveResult.Outcome;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Id rotation: everything carried over, the old id dead and tombstoned, on every instance at once,
 * with no acknowledged save lost.
 */
public interface RotationContract extends StoreContract {

  @Test
  default void rotateIdKeepsEverythingAndKillsTheOldId() {
    String alice = newPrincipal();
    String oldId = newId();
    store()
        .create(
            SessionRecord.create(
                oldId, clock().instant(), IDLE, ABSOLUTE, alice, Map.of("cart", bytes("[7]"))));
    SessionRecord before = store().load(oldId).orElseThrow();
    String newId = newId();

    SaveResult r = store().rotateId(oldId, newId);

    assertThat(r).isEqualTo(SaveResult.saved(before.version() + 1));
    SessionRecord after = store().load(newId).orElseThrow();
    assertThat(after.attributes()).isEqualTo(before.attributes());
    assertThat(after.createdAt()).isEqualTo(before.createdAt());
    assertThat(after.lastAccessedAt()).isEqualTo(before.lastAccessedAt());
    assertThat(after.principal()).isEqualTo(alice);
    assertThat(after.version()).isEqualTo(r.version());
    assertThat(store().currentVersion(newId)).hasValue(r.version());

    assertThat(store().load(oldId)).isEmpty();
    assertThat(store().currentVersion(oldId)).isEmpty();
    assertThat(store().save(SessionDelta.builder(oldId, 1).set("x", bytes("x")).build()).outcome())
        .as("an in-flight save on the old id")
        .isEqualTo(Outcome.GONE);
    assertThat(
            store()
                .create(
                    SessionRecord.create(oldId, clock().instant(), IDLE, ABSOLUTE, null, Map.of()))
                .outcome())
        .as("the old id is tombstoned")
        .isEqualTo(Outcome.ID_TAKEN);
    assertPrincipalIndex(store(), alice, newId);
  }

  @Test
  default void rotateIdOntoALiveIdIsRefusedAndChangesNothing() {
    String a = create(Map.of("who", bytes("a")));
    String b = create(Map.of("who", bytes("b")));

    assertThat(store().rotateId(a, b).outcome()).isEqualTo(Outcome.ID_TAKEN);

    assertThat(store().load(a).orElseThrow().attributeBytes("who")).isEqualTo(bytes("a"));
    assertThat(store().load(b).orElseThrow().attributeBytes("who")).isEqualTo(bytes("b"));
    assertThat(store().currentVersion(a)).hasValue(1);
  }

  @Test
  default void savesRacingARotationAreCarriedOverOrGoneNeverLost() throws Exception {
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
      assertThat(store().rotateId(oldId, newId).outcome()).isEqualTo(Outcome.SAVED);
      int lastSaved = writer.get(30, TimeUnit.SECONDS);

      assertThat(lastSaved).isGreaterThanOrEqualTo(0);
      assertThat(store().load(newId).orElseThrow().attributeBytes("n"))
          .as("every save acknowledged before the rotation is in the rotated session")
          .isEqualTo(bytes("" + lastSaved));
      assertThat(store().load(oldId)).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  default void rotatedSessionIsVisibleThroughAnotherInstance() {
    SessionStore peer = openStore();
    String oldId = create(Map.of("k", bytes("v")));
    String newId = newId();

    store().rotateId(oldId, newId);

    assertThat(peer.load(oldId)).isEmpty();
    assertThat(peer.load(newId).orElseThrow().attributeBytes("k")).isEqualTo(bytes("v"));
  }
}
