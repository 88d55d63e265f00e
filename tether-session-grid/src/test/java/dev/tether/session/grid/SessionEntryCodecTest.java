package dev.tether.session.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.spi.AttributeValue;
import dev.tether.session.spi.SessionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionEntryCodecTest {

  private static final Instant T = Instant.parse("2026-01-02T03:04:05.678Z");

  @Test
  void liveEntryRoundTripsEveryFieldAndExposesItsHead() {
    SessionRecord r =
        new SessionRecord(
            "abc-_09",
            T,
            T.plusSeconds(60),
            Duration.ofMinutes(30),
            Duration.ofHours(8),
            7,
            "Zoë <z@example.org>",
            Map.of(
                    "bin",
                    new AttributeValue(new byte[] {0, -1, 2}, 3),
                    "",
                    new AttributeValue(new byte[0], 7))
                .entrySet()
                .stream()
                .filter(e -> !e.getKey().isEmpty())
                .collect(
                    java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));

    byte[] entry = SessionEntryCodec.live(r);

    assertThat(SessionEntryCodec.read("abc-_09", entry)).isEqualTo(r);
    assertThat(SessionEntryCodec.isLive(entry)).isTrue();
    assertThat(SessionEntryCodec.version(entry)).isEqualTo(7);
    assertThat(SessionEntryCodec.principal(entry)).isEqualTo("Zoë <z@example.org>");
    assertThat(SessionEntryCodec.end(entry)).isEqualTo(r.expiresAt());
    assertThat(SessionEntryCodec.isOver(entry, r.expiresAt().minusMillis(1))).isFalse();
    assertThat(SessionEntryCodec.isOver(entry, r.expiresAt())).isTrue();
  }

  @Test
  void anonymousSessionHasNoPrincipal() {
    SessionRecord r =
        SessionRecord.create("x", T, Duration.ofMinutes(1), Duration.ofHours(1), null, Map.of());
    byte[] entry = SessionEntryCodec.live(r);
    assertThat(SessionEntryCodec.principal(entry)).isNull();
    assertThat(SessionEntryCodec.read("x", entry)).isEqualTo(r);
  }

  @Test
  void tombstoneIsNotASession() {
    byte[] t = SessionEntryCodec.tombstone(T);
    assertThat(SessionEntryCodec.isLive(t)).isFalse();
    assertThat(SessionEntryCodec.end(t)).isEqualTo(T);
    assertThatThrownBy(() -> SessionEntryCodec.read("x", t)).hasMessageContaining("tombstone");
  }

  @Test
  void corruptEntriesAreReportedWithoutTheId() {
    SessionRecord r =
        SessionRecord.create(
            "secret-id",
            T,
            Duration.ofMinutes(1),
            Duration.ofHours(1),
            null,
            Map.of("a", new byte[10]));
    byte[] entry = SessionEntryCodec.live(r);
    byte[] cut = Arrays.copyOf(entry, entry.length - 4);
    assertThatThrownBy(() -> SessionEntryCodec.read("secret-id", cut))
        .hasMessageContaining("corrupt")
        .hasMessageNotContaining("secret-id");
    assertThatThrownBy(() -> SessionEntryCodec.end(new byte[] {9, 9}))
        .hasMessageContaining("unknown format");
  }
}
