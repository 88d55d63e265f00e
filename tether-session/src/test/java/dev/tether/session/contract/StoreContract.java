package dev.tether.session.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SaveResult.Outcome;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.StoreCapability;
import dev.tether.testing.time.SettableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * What every part of the store contract stands on: the store under test, its clock, peers over the
 * same backend and the helpers the tests share, and after each test the check that the principal
 * index agrees with the sessions. The parts ({@link CoreContract}, {@link ExpiryContract}, {@link
 * RotationContract}, {@link PrincipalIndexContract}, {@link ConcurrencyContract}) are test
 * interfaces over it; {@link SessionStoreContract} puts them together over {@link
 * StoreContractSupport}, which holds the state and implements the methods below.
 */
public interface StoreContract {

  /** Idle timeout of the sessions the suite creates. */
  Duration IDLE = Duration.ofMinutes(30);

  /** Absolute timeout of the sessions the suite creates. */
  Duration ABSOLUTE = Duration.ofHours(8);

  /** Random source for ids and test payloads. */
  SecureRandom RANDOM = new SecureRandom();

  /** The store under test, as the suite sees it (every call it makes is watched, see below). */
  SessionStore store();

  /** The clock every store of this test is built with. */
  SettableClock clock();

  /**
   * A new store instance over this test's backend (a second application instance), closed after the
   * test.
   */
  SessionStore openStore();

  /**
   * After each test: the principal index agrees with the sessions, as far as the SPI lets one look.
   * Of every session the test touched through the suite's stores, a live one with a principal is
   * found under that principal, and of every principal it used, each indexed id is a live session
   * of that principal, or one expired but not yet swept, never a deleted or rotated-away id. Stores
   * without {@link StoreCapability#PRINCIPAL_INDEX} have nothing to agree.
   */
  @AfterEach
  default void principalIndexAgreesWithTheSessions() {
    SessionStore s = store();
    if (!s.capabilities().contains(StoreCapability.PRINCIPAL_INDEX)) {
      return;
    }
    StoreObservations seen = StoreObservations.of(s);
    for (String id : seen.ids()) {
      s.load(id)
          .filter(r -> r.principal() != null)
          .ifPresent(
              r ->
                  assertThat(s.findByPrincipal(r.principal()))
                      .as("a live session is indexed under its principal")
                      .contains(id));
    }
    for (String principal : seen.principals()) {
      for (String id : s.findByPrincipal(principal)) {
        if (seen.tampered(id)) {
          continue;
        }
        assertThat(seen.ended(id)).as("the index holds no deleted or rotated-away id").isFalse();
        s.load(id)
            .ifPresent(
                r ->
                    assertThat(r.principal())
                        .as("an indexed live session belongs to the principal it is indexed under")
                        .isEqualTo(principal));
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Whether the store under test declares {@code c}. */
  default boolean supports(StoreCapability c) {
    return store().capabilities().contains(c);
  }

  /**
   * {@code findByPrincipal(principal)} is exactly {@code ids} when the store has a principal index;
   * otherwise it refuses as {@link StoreContractSupport#assertUnsupported} says.
   */
  default void assertPrincipalIndex(SessionStore s, String principal, String... ids) {
    if (s.capabilities().contains(StoreCapability.PRINCIPAL_INDEX)) {
      assertThat(s.findByPrincipal(principal)).containsExactlyInAnyOrder(ids);
    } else {
      StoreContractSupport.assertUnsupported(
          StoreCapability.PRINCIPAL_INDEX, () -> s.findByPrincipal(principal));
    }
  }

  /** Creates an anonymous session with {@code attrs} in {@link #store}; returns its id. */
  default String create(Map<String, byte[]> attrs) {
    String id = StoreContractSupport.newId();
    SaveResult r =
        store().create(SessionRecord.create(id, clock().instant(), IDLE, ABSOLUTE, null, attrs));
    assertThat(r.outcome()).isEqualTo(Outcome.SAVED);
    return id;
  }

  /** Creates a session of {@code principal} in {@link #store}; returns its id. */
  default String createFor(String principal) {
    String id = StoreContractSupport.newId();
    SaveResult r =
        store()
            .create(
                SessionRecord.create(id, clock().instant(), IDLE, ABSOLUTE, principal, Map.of()));
    assertThat(r.outcome()).isEqualTo(Outcome.SAVED);
    return id;
  }
}
