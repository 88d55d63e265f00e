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
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The basics: an unknown id, create and load, deltas, delete and tombstones, the version. */
public interface CoreContract extends StoreContract {

  @Test
  default void unknownIdIsEmptyEverywhere() {
    String id = newId();
    assertThat(store().load(id)).isEmpty();
    assertThat(store().currentVersion(id)).isEmpty();
    assertThat(store().save(SessionDelta.builder(id, 1).set("a", bytes("1")).build()).outcome())
        .isEqualTo(Outcome.GONE);
    assertThat(store().delete(id)).isFalse();
    assertThat(store().rotateId(id, newId()).outcome()).isEqualTo(Outcome.GONE);
    assertThat(store().load(id)).as("a save must not create a session").isEmpty();
  }

  @Test
  default void createThenLoadRoundTripsEveryField() {
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
        SessionRecord.create(id, clock().instant(), IDLE, ABSOLUTE, principal, attrs);

    SaveResult r = store().create(created);

    assertThat(r.outcome()).isEqualTo(Outcome.SAVED);
    assertThat(r.version()).isEqualTo(1);
    SessionRecord loaded = store().load(id).orElseThrow();
    assertThat(loaded).isEqualTo(created);
    assertThat(loaded.attributeBytes("binary")).isEqualTo(binary);
    assertThat(loaded.attributeBytes("empty")).isEmpty();
    assertThat(store().currentVersion(id)).hasValue(1);
  }

  @Test
  default void createOfAnExistingIdIsRefusedAndChangesNothing() {
    String id = create(Map.of("a", bytes("1")));
    SessionRecord other =
        SessionRecord.create(id, clock().instant(), IDLE, ABSOLUTE, null, Map.of("b", bytes("2")));

    assertThat(store().create(other).outcome()).isEqualTo(Outcome.ID_TAKEN);
    assertThat(store().load(id).orElseThrow().attributes()).containsOnlyKeys("a");
  }

  @Test
  default void deltaChangesOnlyWhatItNames() {
    String id = create(Map.of("keep", bytes("k"), "change", bytes("c0"), "drop", bytes("d")));
    clock().advance(Duration.ofMinutes(5));
    Instant access = clock().instant();

    SaveResult r =
        store()
            .save(
                SessionDelta.builder(id, 1)
                    .set("change", bytes("c1"))
                    .set("new", bytes("n"))
                    .remove("drop")
                    .lastAccessedAt(access)
                    .idleTimeout(Duration.ofMinutes(45))
                    .build());

    assertThat(r).isEqualTo(SaveResult.saved(2));
    SessionRecord s = store().load(id).orElseThrow();
    assertThat(s.version()).isEqualTo(2);
    assertThat(s.attributes()).containsOnlyKeys("keep", "change", "new");
    assertThat(s.attributeBytes("keep")).isEqualTo(bytes("k"));
    assertThat(s.attributeBytes("change")).isEqualTo(bytes("c1"));
    assertThat(s.attributes().get("change").version()).isEqualTo(2);
    assertThat(s.attributes().get("keep").version()).isEqualTo(1);
    assertThat(s.lastAccessedAt()).isEqualTo(access);
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofMinutes(45));
    assertThat(store().currentVersion(id)).hasValue(2);
  }

  @Test
  default void lastAccessNeverMovesBackwards() {
    String id = create(Map.of());
    Instant t0 = clock().instant();
    clock().advance(Duration.ofMinutes(2));
    Instant later = clock().instant();
    store().save(SessionDelta.builder(id, 1).lastAccessedAt(later).build());

    store().save(SessionDelta.builder(id, 1).lastAccessedAt(t0.plusSeconds(1)).build());

    assertThat(store().load(id).orElseThrow().lastAccessedAt()).isEqualTo(later);
  }

  @Test
  default void deleteRemovesTheSessionAndAnInFlightSaveCannotResurrectIt() {
    String id = create(Map.of("a", bytes("1")));
    SessionRecord seenByInFlightRequest = store().load(id).orElseThrow();

    assertThat(store().delete(id)).isTrue();
    SaveResult late =
        store()
            .save(
                SessionDelta.builder(id, seenByInFlightRequest.version())
                    .set("b", bytes("2"))
                    .lastAccessedAt(clock().instant())
                    .build());

    assertThat(late.outcome()).isEqualTo(Outcome.GONE);
    assertThat(store().load(id)).isEmpty();
    assertThat(store().currentVersion(id)).isEmpty();
    assertThat(store().delete(id)).isFalse();
  }

  @Test
  default void deletedIdIsTombstonedAgainstCreateAndRotation() {
    String id = create(Map.of());
    String other = create(Map.of());
    store().delete(id);

    SessionRecord again =
        SessionRecord.create(id, clock().instant(), IDLE, ABSOLUTE, null, Map.of());
    assertThat(store().create(again).outcome()).isEqualTo(Outcome.ID_TAKEN);
    assertThat(store().rotateId(other, id).outcome()).isEqualTo(Outcome.ID_TAKEN);
    assertThat(store().load(id)).isEmpty();
    assertThat(store().load(other)).isPresent();
  }

  @Test
  default void currentVersionTracksEveryWrite() {
    String id = create(Map.of());
    SessionStore peer = openStore();
    long v = 1;
    for (int i = 0; i < 5; i++) {
      SaveResult r = store().save(SessionDelta.builder(id, v).set("i", bytes("" + i)).build());
      v = r.version();
      assertThat(peer.currentVersion(id)).hasValue(v);
    }
    assertThat(v).isEqualTo(6);
  }
}
