package dev.tether.session.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingSessionStoreTest {

  private final RecordingStore delegate = new RecordingStore();
  private final SessionStore forwarding = new ForwardingSessionStore(delegate) {};

  @Test
  void everyCallTheOptionalOnesIncludedReachesTheDelegateWithItsAnswer() {
    String id = RecordingStore.ID;
    assertThat(forwarding.load(id)).contains(RecordingStore.RECORD);
    assertThat(forwarding.load(id, "s1; epoch=1")).contains(RecordingStore.RECORD);
    assertThat(forwarding.currentVersion(id)).hasValue(1);
    assertThat(forwarding.create(RecordingStore.RECORD)).isEqualTo(SaveResult.saved(1));
    assertThat(forwarding.save(SessionDelta.builder(id, 1).set("a", new byte[] {1}).build()))
        .isEqualTo(SaveResult.saved(2));
    assertThat(forwarding.delete(id)).isTrue();
    assertThat(forwarding.rotateId(id, "b".repeat(43))).isEqualTo(SaveResult.saved(3));
    assertThat(forwarding.findByPrincipal("ada")).containsExactly(id);
    assertThat(forwarding.sweepExpired(10)).containsExactly(RecordingStore.RECORD);
    assertThat(forwarding.capabilities()).isEmpty();
    assertThat(forwarding.invalidations()).isSameAs(delegate.channel);
    assertThat(forwarding.owners(id)).containsExactly("s1");
    assertThat(forwarding.isOutage(new RuntimeException())).isTrue();
    forwarding.close();

    assertThat(delegate.calls)
        .isEqualTo(
            List.of(
                "load",
                "load(binding)",
                "currentVersion",
                "create",
                "save",
                "delete",
                "rotateId",
                "findByPrincipal",
                "sweepExpired",
                "capabilities",
                "invalidations",
                "owners",
                "isOutage",
                "close"));
  }
}
