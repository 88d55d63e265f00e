package dev.tether.session.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stored form of a session: what a store keeps and returns from {@link SessionStore#load}.
 * Immutable; times are kept at millisecond precision (they are truncated on construction) so that
 * every store round-trips them exactly.
 *
 * <p>A session expires at the earlier of {@code lastAccessedAt + idleTimeout} (idle, sliding) and
 * {@code createdAt + absoluteTimeout} (absolute, OWASP R8); it is expired from that instant on.
 * Stores check this on every read against their injected clock (logical expiry), so a session is
 * never served late even when the backend's own TTL or the sweep lags behind.
 *
 * <pre>{@code
 * SessionRecord r = SessionRecord.create(id, clock.instant(), Duration.ofMinutes(30),
 *     Duration.ofHours(8), null, Map.of("cart", json));
 * store.create(r);
 * }</pre>
 *
 * @param id the session id, see {@link SessionIds}
 * @param createdAt when the session was created (kept across id rotation)
 * @param lastAccessedAt the last access a request recorded
 * @param idleTimeout positive; the session expires this long after the last access
 * @param absoluteTimeout positive; the session expires this long after creation, however active
 * @param version starts at 1 and grows by one with every successful write
 * @param principal the authenticated user's name for the principal index, or {@code null}
 * @param attributes attribute name to encoded value; names are non-empty
 */
public record SessionRecord(
    String id,
    Instant createdAt,
    Instant lastAccessedAt,
    Duration idleTimeout,
    Duration absoluteTimeout,
    long version,
    String principal,
    Map<String, AttributeValue> attributes) {

  public SessionRecord {
    SessionIds.requireValid(id);
    createdAt = requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MILLIS);
    lastAccessedAt =
        requireNonNull(lastAccessedAt, "lastAccessedAt").truncatedTo(ChronoUnit.MILLIS);
    idleTimeout = requirePositive(idleTimeout, "idleTimeout");
    absoluteTimeout = requirePositive(absoluteTimeout, "absoluteTimeout");
    if (version < 1) {
      throw new IllegalArgumentException("version " + version + " must be at least 1");
    }
    if (principal != null && principal.isEmpty()) {
      throw new IllegalArgumentException("principal must be null (anonymous) or non-empty");
    }
    requireNonNull(attributes, "attributes");
    attributes.keySet().forEach(SessionRecord::requireAttributeName);
    attributes = Map.copyOf(attributes);
  }

  /**
   * A new session at version 1 whose attributes all carry version 1.
   *
   * @param principal the principal, or {@code null}
   * @param attributes encoded initial attributes, may be empty
   */
  public static SessionRecord create(
      String id,
      Instant now,
      Duration idleTimeout,
      Duration absoluteTimeout,
      String principal,
      Map<String, byte[]> attributes) {
    requireNonNull(attributes, "attributes");
    Map<String, AttributeValue> stored = new HashMap<>();
    attributes.forEach((name, bytes) -> stored.put(name, new AttributeValue(bytes, 1)));
    return new SessionRecord(id, now, now, idleTimeout, absoluteTimeout, 1, principal, stored);
  }

  /** When this session expires: the earlier of idle and absolute expiry. */
  public Instant expiresAt() {
    Instant idle = lastAccessedAt.plus(idleTimeout);
    Instant absolute = createdAt.plus(absoluteTimeout);
    return idle.isBefore(absolute) ? idle : absolute;
  }

  /** Whether the session is expired at {@code now} (expiry instant included). */
  public boolean isExpired(Instant now) {
    return !now.isBefore(expiresAt());
  }

  /** The encoded value of {@code name}, or {@code null} when absent. */
  public byte[] attributeBytes(String name) {
    AttributeValue v = attributes.get(name);
    return v == null ? null : v.bytes();
  }

  /**
   * The same session under {@code newId}, one version later (id rotation keeps everything else).
   */
  public SessionRecord withId(String newId) {
    return new SessionRecord(
        newId,
        createdAt,
        lastAccessedAt,
        idleTimeout,
        absoluteTimeout,
        version + 1,
        principal,
        attributes);
  }

  /**
   * Applies {@code delta} the way every store must (the reference semantics; memory, file and grid
   * stores call this directly, Redis and JDBC stores reproduce it in a script or a transaction):
   *
   * <ul>
   *   <li>the version grows by one; every set attribute carries the new version;
   *   <li>an attribute that the delta sets or removes and that was written after {@code
   *       delta.baseVersion()} by someone else is a <em>conflict</em>: the delta still wins (last
   *       writer wins per attribute) and the name is reported;
   *   <li>attributes the delta does not name are untouched, so concurrent requests that change
   *       different attributes both persist;
   *   <li>the last access never moves backwards; idle timeout and principal change only if the
   *       delta says so.
   * </ul>
   *
   * @return the merged record and the conflicting attribute names
   * @throws IllegalArgumentException if the delta is for another id
   */
  public Merge merge(SessionDelta delta) {
    requireNonNull(delta, "delta");
    if (!delta.id().equals(id)) {
      throw new IllegalArgumentException("delta is for another session id");
    }
    long next = version + 1;
    Map<String, AttributeValue> merged = new LinkedHashMap<>(attributes);
    Set<String> conflicts = new TreeSet<>();
    delta
        .changed()
        .forEach(
            (name, bytes) -> {
              AttributeValue old = merged.put(name, new AttributeValue(bytes, next));
              if (old != null && old.version() > delta.baseVersion()) {
                conflicts.add(name);
              }
            });
    for (String name : delta.removed()) {
      AttributeValue old = merged.remove(name);
      if (old != null && old.version() > delta.baseVersion()) {
        conflicts.add(name);
      }
    }
    Instant access = lastAccessedAt;
    if (delta.lastAccessedAt() != null && delta.lastAccessedAt().isAfter(access)) {
      access = delta.lastAccessedAt();
    }
    Duration idle = delta.idleTimeout() != null ? delta.idleTimeout() : idleTimeout;
    String who = delta.principal() != null ? delta.principal().principal() : principal;
    SessionRecord record =
        new SessionRecord(id, createdAt, access, idle, absoluteTimeout, next, who, merged);
    return new Merge(record, Set.copyOf(conflicts));
  }

  /**
   * The result of {@link #merge}.
   *
   * @param record the merged session
   * @param conflicts attribute names that another writer changed after the delta's base version
   */
  public record Merge(SessionRecord record, Set<String> conflicts) {
    public Merge {
      requireNonNull(record, "record");
      conflicts = Set.copyOf(conflicts);
    }
  }

  @Override
  public String toString() {
    return "SessionRecord[version "
        + version
        + ", created "
        + createdAt
        + ", last access "
        + lastAccessedAt
        + ", "
        + attributes.size()
        + " attributes]";
  }

  static String requireAttributeName(String name) {
    requireNonNull(name, "attribute name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("attribute name must not be empty");
    }
    return name;
  }

  static Duration requirePositive(Duration d, String what) {
    requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " " + d + " must be positive");
    }
    return d.truncatedTo(ChronoUnit.MILLIS);
  }
}
