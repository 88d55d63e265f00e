package dev.tether.session.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CountingSessionStoreTest {

  private final RecordingStore delegate = new RecordingStore();
  private final CountingSessionStore counting = new CountingSessionStore(delegate);

  @Test
  void countsReadsChecksCreatesAndSavesApartAndACreateIsNoSave() {
    String id = RecordingStore.ID;
    counting.create(RecordingStore.RECORD);
    counting.load(id);
    counting.load(id, "s1; epoch=1");
    counting.currentVersion(id);
    counting.save(SessionDelta.builder(id, 1).set("a", new byte[] {1}).build());
    counting.save(SessionDelta.builder(id, 2).set("a", new byte[] {2}).build());
    counting.delete(id);
    counting.findByPrincipal("ada");

    assertThat(counting.creates()).isEqualTo(1);
    assertThat(counting.saves()).as("deltas only").isEqualTo(2);
    assertThat(counting.writes()).isEqualTo(3);
    assertThat(counting.loads()).as("with and without a binding").isEqualTo(2);
    assertThat(counting.versionChecks()).isEqualTo(1);
    assertThat(counting.invalidations())
        .as("the channel passes through")
        .isSameAs(delegate.channel);
  }
}
