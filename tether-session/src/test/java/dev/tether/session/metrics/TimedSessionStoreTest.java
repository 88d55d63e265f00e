package dev.tether.session.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.spi.ForwardingSessionStore;
import dev.tether.session.spi.RecordingStore;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimedSessionStoreTest {

  private final List<String> reported = new ArrayList<>();
  private final RecordingStore delegate = new RecordingStore();
  private final SessionStore timed =
      new TimedSessionStore(
          delegate,
          (operation, nanos) -> {
            assertThat(nanos).isNotNegative();
            reported.add(operation);
          });

  @Test
  void eachDataCallIsReportedOnceUnderItsSpiNameAndTheRestPassUntimed() {
    String id = RecordingStore.ID;
    timed.load(id);
    timed.load(id, "s1; epoch=1");
    timed.currentVersion(id);
    timed.create(RecordingStore.RECORD);
    timed.save(SessionDelta.builder(id, 1).set("a", new byte[] {1}).build());
    timed.delete(id);
    timed.rotateId(id, "b".repeat(43));
    timed.findByPrincipal("ada");
    timed.sweepExpired(10);
    timed.capabilities();
    timed.invalidations();
    timed.owners(id);

    assertThat(reported)
        .containsExactly(
            "load",
            "load",
            "currentVersion",
            "create",
            "save",
            "delete",
            "rotateId",
            "findByPrincipal",
            "sweepExpired");
    assertThat(delegate.calls).contains("load(binding)", "capabilities", "invalidations", "owners");
  }

  @Test
  void aFailedCallIsReportedToo() {
    SessionStore failing =
        new TimedSessionStore(
            new ForwardingSessionStore(delegate) {
              @Override
              public boolean delete(String id) {
                throw new IllegalStateException("store down");
              }
            },
            (operation, nanos) -> reported.add(operation));

    assertThatThrownBy(() -> failing.delete(RecordingStore.ID)).hasMessage("store down");
    assertThat(reported).containsExactly("delete");
  }
}
