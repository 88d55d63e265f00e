package dev.tether.session;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One request's view of a session, from {@link SessionManager#open} or {@link
 * SessionManager#create}. Changes collect here and reach the store as one delta at {@link
 * SessionManager#commit}. Values are decoded lazily, once per request.
 *
 * <p>Attribute semantics follow "save on set": a value is written when {@link #setAttribute} is
 * called; mutating an object obtained from {@link #attribute} without setting it again is not
 * persisted. Names starting with {@code tether.} are reserved for the library.
 *
 * <p>Thread-safe (a request may hand the session to async work), by locking on this object.
 */
public final class ActiveSession {

  /** Prefix of attribute names reserved for the library. */
  public static final String RESERVED_PREFIX = "tether.";

  private final SessionManager manager;
  private final boolean isNew;
  private final String requestedId;
  private final Instant createdAt;
  private final Instant openedAt;
  private final Duration absoluteTimeout;
  private SessionRecord stored;
  private String id;
  private Duration idleTimeout;
  private boolean idleChanged;
  private String principal;
  private boolean principalChanged;
  private final Map<String, Object> decoded = new HashMap<>();
  private final Map<String, Object> changed = new LinkedHashMap<>();
  private final Set<String> removed = new LinkedHashSet<>();
  private boolean invalidated;

  ActiveSession(SessionManager manager, SessionRecord stored, Instant now) {
    this.manager = manager;
    this.isNew = false;
    this.stored = stored;
    this.requestedId = stored.id();
    this.id = stored.id();
    this.createdAt = stored.createdAt();
    this.absoluteTimeout = stored.absoluteTimeout();
    this.idleTimeout = stored.idleTimeout();
    this.principal = stored.principal();
    this.openedAt = now;
  }

  ActiveSession(SessionManager manager, String id, Instant now, SessionPolicy policy) {
    this.manager = manager;
    this.isNew = true;
    this.stored = null;
    this.requestedId = null;
    this.id = id;
    this.createdAt = now;
    this.absoluteTimeout = policy.absoluteTimeout();
    this.idleTimeout = policy.idleTimeout();
    this.openedAt = now;
  }

  /** The current id (changes on rotation). Never log it; use {@link SessionManager#digest}. */
  public synchronized String id() {
    return id;
  }

  /** Whether the id differs from the one the request presented (new session or rotated). */
  public synchronized boolean idChanged() {
    return !id.equals(requestedId);
  }

  /** Whether this session was created by this request and is not yet stored. */
  public boolean isNew() {
    return isNew;
  }

  /** Creation time (kept across rotation). */
  public Instant createdAt() {
    return createdAt;
  }

  /** When this request opened the session (its access time). */
  public Instant accessedAt() {
    return openedAt;
  }

  /** The last access the store recorded before this request. */
  public synchronized Instant lastAccessedAt() {
    return stored == null ? createdAt : stored.lastAccessedAt();
  }

  /** The idle timeout. */
  public synchronized Duration idleTimeout() {
    return idleTimeout;
  }

  /** The absolute timeout. */
  public Duration absoluteTimeout() {
    return absoluteTimeout;
  }

  /** Changes this session's idle timeout (must be positive). */
  public synchronized void setIdleTimeout(Duration idle) {
    requireNonNull(idle, "idle");
    if (idle.isNegative() || idle.isZero()) {
      throw new IllegalArgumentException("idle timeout " + idle + " must be positive");
    }
    checkValid();
    idleTimeout = idle;
    idleChanged = true;
  }

  /** The principal name, or {@code null} when anonymous. */
  public synchronized String principal() {
    return principal;
  }

  /**
   * Sets the principal (login) or clears it ({@code null}). Call {@link #rotateId()} as well on any
   * privilege change (R4, R5); {@link SessionAuthentication#login} does both.
   */
  public synchronized void setPrincipal(String name) {
    if (name != null && name.isEmpty()) {
      throw new IllegalArgumentException("principal must be null or non-empty");
    }
    checkValid();
    principal = name;
    principalChanged = true;
  }

  /** The value of attribute {@code name}, or {@code null}. */
  public synchronized Object attribute(String name) {
    requireNonNull(name, "name");
    checkValid();
    if (changed.containsKey(name)) {
      return changed.get(name);
    }
    if (removed.contains(name) || stored == null) {
      return null;
    }
    if (decoded.containsKey(name)) {
      return decoded.get(name);
    }
    byte[] bytes = stored.attributeBytes(name);
    Object value = bytes == null ? null : manager.codec().decode(name, bytes);
    decoded.put(name, value);
    if (value != null && !manager.codec().isSealedWithCurrentKey(bytes)) {
      changed.put(name, value); // re-seal under the current key at commit (key rotation)
    }
    return value;
  }

  /** The value of {@code name} as {@code type}, or {@code null}. */
  public <T> T attribute(String name, Class<T> type) {
    return type.cast(attribute(name));
  }

  /** Sets {@code name} to {@code value}; {@code null} removes it. */
  public void setAttribute(String name, Object value) {
    requireAppName(name);
    setInternal(name, value);
  }

  /** Removes {@code name}. */
  public void removeAttribute(String name) {
    requireAppName(name);
    setInternal(name, null);
  }

  /** The application's attribute names (reserved names excluded). */
  public synchronized Set<String> attributeNames() {
    checkValid();
    Set<String> names = new TreeSet<>();
    if (stored != null) {
      names.addAll(stored.attributes().keySet());
    }
    names.addAll(changed.keySet());
    names.removeAll(removed);
    names.removeIf(n -> n.startsWith(RESERVED_PREFIX));
    return names;
  }

  /** Whether the session has not been invalidated. */
  public synchronized boolean isValid() {
    return !invalidated;
  }

  /** Rotates the id keeping all attributes; see {@link SessionManager#rotateId}. */
  public String rotateId() {
    return manager.rotateId(this);
  }

  /** Invalidates the session; see {@link SessionManager#invalidate}. */
  public void invalidate() {
    manager.invalidate(this);
  }

  synchronized void setInternal(String name, Object value) {
    checkValid();
    if (value == null) {
      changed.remove(name);
      if (stored != null && stored.attributes().containsKey(name)) {
        removed.add(name);
      }
    } else {
      removed.remove(name);
      changed.put(name, value);
    }
  }

  synchronized SessionRecord stored() {
    return stored;
  }

  synchronized void markInvalidated() {
    invalidated = true;
  }

  /**
   * After rotation. The delta base stays the version this request read: rotation leaves attribute
   * versions alone, so conflicts with writes that happened before the rotation are still seen.
   */
  synchronized void changeId(String newId) {
    id = newId;
    if (stored != null) {
      stored = withVersion(stored.withId(newId), stored.version());
    }
  }

  static SessionRecord withVersion(SessionRecord r, long version) {
    return new SessionRecord(
        r.id(),
        r.createdAt(),
        r.lastAccessedAt(),
        r.idleTimeout(),
        r.absoluteTimeout(),
        version,
        r.principal(),
        r.attributes());
  }

  /** The first record to create for a new session, values encoded. */
  synchronized SessionRecord newRecord() {
    Map<String, byte[]> attrs = new LinkedHashMap<>();
    changed.forEach((n, v) -> attrs.put(n, manager.codec().encode(n, v)));
    return SessionRecord.create(id, createdAt, idleTimeout, absoluteTimeout, principal, attrs);
  }

  /** The delta to save, or {@code null} when nothing needs writing. */
  synchronized SessionDelta delta(Duration touchInterval) {
    SessionDelta.Builder b = SessionDelta.builder(id, stored.version());
    changed.forEach((n, v) -> b.set(n, manager.codec().encode(n, v)));
    removed.forEach(b::remove);
    if (idleChanged) {
      b.idleTimeout(idleTimeout);
    }
    if (principalChanged && !java.util.Objects.equals(principal, stored.principal())) {
      b.principal(principal);
    }
    boolean dirty = !changed.isEmpty() || !removed.isEmpty() || idleChanged || principalChanged;
    boolean touchDue =
        !openedAt.isBefore(stored.lastAccessedAt().plus(touchInterval))
            && openedAt.isAfter(stored.lastAccessedAt());
    if (dirty || touchDue) {
      b.lastAccessedAt(openedAt);
      return b.build();
    }
    return null;
  }

  /** After a successful save: the pending changes are now stored. */
  synchronized void saved(SessionRecord now) {
    stored = now;
    decoded.clear();
    changed.clear();
    removed.clear();
    idleChanged = false;
    principalChanged = false;
  }

  private void checkValid() {
    if (invalidated) {
      throw new IllegalStateException("the session has been invalidated");
    }
  }

  private static void requireAppName(String name) {
    requireNonNull(name, "name");
    if (name.isEmpty() || name.startsWith(RESERVED_PREFIX)) {
      throw new IllegalArgumentException(
          "attribute name '"
              + name
              + "' is not allowed: names must be non-empty and not start with '"
              + RESERVED_PREFIX
              + "'");
    }
  }
}
