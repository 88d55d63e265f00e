package dev.tether.session.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/** A store that answers every call with a fixed value and remembers which calls it got. */
public final class RecordingStore implements SessionStore {

  public static final String ID = "a".repeat(43);
  public static final SessionRecord RECORD =
      SessionRecord.create(
          ID,
          Instant.parse("2026-01-01T00:00:00Z"),
          Duration.ofMinutes(30),
          Duration.ofHours(8),
          "ada",
          Map.of());

  public final List<String> calls = new ArrayList<>();
  public final Invalidations channel =
      new Invalidations() {
        @Override
        public void publish(String id) {}

        @Override
        public AutoCloseable subscribe(Consumer<String> onId, Runnable onLost) {
          return () -> {};
        }
      };

  @Override
  public Optional<SessionRecord> load(String id) {
    calls.add("load");
    return Optional.of(RECORD);
  }

  @Override
  public Optional<SessionRecord> load(String id, String binding) {
    calls.add("load(binding)");
    return Optional.of(RECORD);
  }

  @Override
  public OptionalLong currentVersion(String id) {
    calls.add("currentVersion");
    return OptionalLong.of(1);
  }

  @Override
  public SaveResult create(SessionRecord session) {
    calls.add("create");
    return SaveResult.saved(1);
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    calls.add("save");
    return SaveResult.saved(2);
  }

  @Override
  public boolean delete(String id) {
    calls.add("delete");
    return true;
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    calls.add("rotateId");
    return SaveResult.saved(3);
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    calls.add("findByPrincipal");
    return Set.of(ID);
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    calls.add("sweepExpired");
    return List.of(RECORD);
  }

  @Override
  public Set<StoreCapability> capabilities() {
    calls.add("capabilities");
    return EnumSet.noneOf(StoreCapability.class);
  }

  @Override
  public Invalidations invalidations() {
    calls.add("invalidations");
    return channel;
  }

  @Override
  public List<String> owners(String id) {
    calls.add("owners");
    return List.of("s1");
  }

  @Override
  public boolean isOutage(RuntimeException failure) {
    calls.add("isOutage");
    return true;
  }

  @Override
  public void close() {
    calls.add("close");
  }
}
