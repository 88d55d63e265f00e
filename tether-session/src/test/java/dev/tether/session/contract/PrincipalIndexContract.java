package dev.tether.session.contract;

import static dev.tether.session.contract.StoreContractSupport.newPrincipal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.StoreCapability;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The principal index (an optional part, {@link StoreCapability#PRINCIPAL_INDEX}): it follows
 * creates, principal changes and deletes.
 */
public interface PrincipalIndexContract extends StoreContract {

  @Test
  default void principalIndexFollowsCreatesAndPrincipalChanges() {
    String alice = newPrincipal();
    String bob = newPrincipal();
    String a1 = createFor(alice);
    String a2 = createFor(alice);
    String anon = create(Map.of());
    assertPrincipalIndex(store(), alice, a1, a2);

    store().save(SessionDelta.builder(a2, 1).principal(bob).build());
    store().save(SessionDelta.builder(anon, 1).principal(alice).build());
    assertPrincipalIndex(store(), alice, a1, anon);
    assertPrincipalIndex(store(), bob, a2);
    assertThat(store().load(a2).orElseThrow().principal()).isEqualTo(bob);
    assertThat(store().load(anon).orElseThrow().principal()).isEqualTo(alice);

    store().save(SessionDelta.builder(a1, 1).principal(null).build());
    assertPrincipalIndex(store(), alice, anon);
    assertThat(store().load(a1).orElseThrow().principal()).isNull();
  }

  @Test
  default void principalNamesMayHoldAnyCharacters() {
    String odd = "Zoë O'Brien <zoe@example.org> {*}:" + newPrincipal();
    String id = createFor(odd);

    assertPrincipalIndex(store(), odd, id);
    assertThat(store().load(id).orElseThrow().principal()).isEqualTo(odd);
    assertPrincipalIndex(store(), odd.toUpperCase(java.util.Locale.ROOT));
  }

  @Test
  default void deleteRemovesThePrincipalIndexEntry() {
    String alice = newPrincipal();
    String a1 = createFor(alice);
    String a2 = createFor(alice);

    store().delete(a1);

    assertPrincipalIndex(store(), alice, a2);
    assertPrincipalIndex(store(), newPrincipal());
    assertThat(store().load(a1)).isEmpty();
    assertThat(store().load(a2)).isPresent();
  }
}
