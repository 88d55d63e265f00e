package dev.tether.session.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What one request changed in a session: the attributes it set or removed, a new last access (at
 * most once per configured interval, the manager decides), a new idle timeout or principal, and the
 * version it read ({@code baseVersion}) so the store can tell which changes conflict (see {@link
 * SessionRecord#merge}).
 *
 * <p>Immutable; the value byte arrays are copied on the way in and must not be modified by stores.
 *
 * <pre>{@code
 * SessionDelta d = SessionDelta.builder(id, loaded.version())
 *     .set("cart", json)
 *     .remove("coupon")
 *     .lastAccessedAt(clock.instant())
 *     .build();
 * SaveResult r = store.save(d);
 * }</pre>
 *
 * @param id the session id
 * @param baseVersion the version the request loaded, at least 1
 * @param changed attributes to set, name to encoded value
 * @param removed attributes to remove; disjoint from {@code changed}
 * @param lastAccessedAt the new last access, or {@code null} to leave it
 * @param idleTimeout the new idle timeout, or {@code null} to leave it
 * @param principal the principal change, or {@code null} to leave it
 */
public record SessionDelta(
    String id,
    long baseVersion,
    Map<String, byte[]> changed,
    Set<String> removed,
    Instant lastAccessedAt,
    Duration idleTimeout,
    PrincipalChange principal) {

  public SessionDelta {
    SessionIds.requireValid(id);
    if (baseVersion < 1) {
      throw new IllegalArgumentException("baseVersion " + baseVersion + " must be at least 1");
    }
    requireNonNull(changed, "changed");
    requireNonNull(removed, "removed");
    Map<String, byte[]> copy = new LinkedHashMap<>();
    changed.forEach(
        (name, bytes) ->
            copy.put(
                SessionRecord.requireAttributeName(name),
                requireNonNull(bytes, "value of " + name).clone()));
    changed = java.util.Collections.unmodifiableMap(copy);
    removed = Set.copyOf(removed);
    for (String name : removed) {
      SessionRecord.requireAttributeName(name);
      if (changed.containsKey(name)) {
        throw new IllegalArgumentException(
            "attribute '" + name + "' is both set and removed in one delta");
      }
    }
    if (lastAccessedAt != null) {
      lastAccessedAt = lastAccessedAt.truncatedTo(ChronoUnit.MILLIS);
    }
    if (idleTimeout != null) {
      idleTimeout = SessionRecord.requirePositive(idleTimeout, "idleTimeout");
    }
  }

  /** Whether this delta changes nothing (a manager does not send such a delta). */
  public boolean isEmpty() {
    return changed.isEmpty()
        && removed.isEmpty()
        && lastAccessedAt == null
        && idleTimeout == null
        && principal == null;
  }

  /** A builder for a delta against {@code baseVersion} of session {@code id}. */
  public static Builder builder(String id, long baseVersion) {
    return new Builder(id, baseVersion);
  }

  @Override
  public String toString() {
    return "SessionDelta[base "
        + baseVersion
        + ", set "
        + changed.keySet()
        + ", removed "
        + removed
        + (lastAccessedAt != null ? ", access " + lastAccessedAt : "")
        + (idleTimeout != null ? ", idle " + idleTimeout : "")
        + (principal != null ? ", principal changed" : "")
        + "]";
  }

  /** Collects a delta; not thread-safe. A later {@code set} or {@code remove} of a name wins. */
  public static final class Builder {
    private final String id;
    private final long baseVersion;
    private final Map<String, byte[]> changed = new LinkedHashMap<>();
    private final Set<String> removed = new java.util.LinkedHashSet<>();
    private Instant lastAccessedAt;
    private Duration idleTimeout;
    private PrincipalChange principal;

    private Builder(String id, long baseVersion) {
      this.id = id;
      this.baseVersion = baseVersion;
    }

    /** Sets attribute {@code name} to the encoded {@code value}. */
    public Builder set(String name, byte[] value) {
      removed.remove(name);
      changed.put(name, value);
      return this;
    }

    /** Removes attribute {@code name}. */
    public Builder remove(String name) {
      changed.remove(name);
      removed.add(name);
      return this;
    }

    /** Records an access at {@code at}. */
    public Builder lastAccessedAt(Instant at) {
      this.lastAccessedAt = at;
      return this;
    }

    /** Changes the idle timeout. */
    public Builder idleTimeout(Duration idle) {
      this.idleTimeout = idle;
      return this;
    }

    /** Sets ({@code name != null}) or clears ({@code null}) the principal. */
    public Builder principal(String name) {
      this.principal = new PrincipalChange(name);
      return this;
    }

    public SessionDelta build() {
      return new SessionDelta(
          id, baseVersion, changed, removed, lastAccessedAt, idleTimeout, principal);
    }
  }
}
