package dev.tether.session.cookie;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The small server-side list that makes a logout stick: per session id that was logged out or
 * rotated away a tombstone, and per id whose principal changed (or, if configured, that was written
 * at all) the lowest version still accepted. Each entry is a tiny record in any {@link
 * SessionStore}, keyed by the session id and expiring when the session's absolute timeout ends,
 * after which the cookie is refused by its own seal anyway. {@code null} store: nothing is kept and
 * nothing refused.
 */
final class Revocations {

  private static final String REVOKED = "revoked";
  private static final String MINIMUM = "min";

  private final SessionStore store;
  private final Clock clock;

  Revocations(SessionStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  boolean enabled() {
    return store != null;
  }

  /**
   * Whether {@code r} (an opened cookie) was logged out, rotated away or replaced by a newer one.
   */
  boolean refuses(SessionRecord r) {
    if (store == null) {
      return false;
    }
    Optional<SessionRecord> entry = store.load(r.id());
    if (entry.isEmpty()) {
      return false;
    }
    if (entry.get().attributes().containsKey(REVOKED)) {
      return true;
    }
    return r.version() < minimumOf(entry.get());
  }

  private static long minimumOf(SessionRecord entry) {
    byte[] min = entry.attributeBytes(MINIMUM);
    return min == null ? 0 : Long.parseLong(new String(min, StandardCharsets.US_ASCII));
  }

  /** Whether {@code id} was logged out or rotated away (so it may not be created again). */
  boolean revoked(String id) {
    return store != null
        && store.load(id).map(e -> e.attributes().containsKey(REVOKED)).orElse(false);
  }

  /** Every cookie of {@code s}'s id is refused from now on. */
  void revoke(SessionRecord s) {
    put(s, REVOKED, "1");
  }

  /** Cookies of {@code s}'s id older than {@code s} are refused from now on. */
  void raiseMinimum(SessionRecord s) {
    put(s, MINIMUM, Long.toString(s.version()));
  }

  private void put(SessionRecord s, String name, String value) {
    if (store == null) {
      return;
    }
    Instant now = clock.instant();
    Duration left = Duration.between(now, s.createdAt().plus(s.absoluteTimeout()));
    if (left.toMillis() < 1) {
      return; // the seal itself refuses it from now on
    }
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    for (int attempt = 0; attempt < 3; attempt++) {
      Optional<SessionRecord> entry = store.load(s.id());
      if (entry.isPresent() && name.equals(MINIMUM) && minimumOf(entry.get()) >= s.version()) {
        return; // a later write recorded a higher minimum already
      }
      SaveResult r =
          entry.isEmpty()
              ? store.create(
                  SessionRecord.create(s.id(), now, left, left, null, Map.of(name, bytes)))
              : store.save(
                  SessionDelta.builder(s.id(), entry.get().version()).set(name, bytes).build());
      if (r.isSaved()) {
        return;
      }
    }
    throw new IllegalStateException(
        "the revocation store refused to record the '"
            + name
            + "' entry of a session three times"
            + " (ID_TAKEN or GONE), so this logout or change cannot be made to stick");
  }
}
