package dev.tether.session;

import static java.util.Objects.requireNonNull;

import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionIds;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.StoreCapability;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies session policy over a {@link SessionStore}: strict mode, idle/absolute/renewal timeouts,
 * sliding expiry with coalesced last-access writes, id rotation, CSRF synchronizer tokens, expiry
 * warnings, the unknown-id counter and lifecycle events with salted id digests.
 *
 * <pre>{@code
 * SessionManager sessions = SessionManager.builder(store).policy(SessionPolicy.defaults()).build();
 * ActiveSession s = sessions.open(cookieValue, clientAddress).orElseGet(sessions::create);
 * s.setAttribute("cart", List.of(1, 2));
 * sessions.commit(s);          // one delta write, before the response is committed
 * }</pre>
 *
 * <p>Design: <b>strict mode</b> (OWASP R3) — {@link #open} never adopts an id the store does not
 * hold live; the caller creates a fresh session with a fresh id instead. <b>Writes</b> are deltas
 * (only set/removed attributes); a request that changed nothing writes only when the last access
 * is older than {@link SessionPolicy#touchInterval()} (Jetty's {@code savePeriodSec} idea), so a
 * read-mostly session costs no write on most requests. <b>Conflicts</b> are resolved by the store,
 * last writer wins per attribute, and reported to {@link SessionListener#conflict}. A save that
 * finds the session gone is dropped, never re-created (no resurrection after logout). <b>Binding</b>
 * (optional, {@link SessionPolicy.Binding}): a session created with {@link #create(ClientInfo)}
 * remembers hashes of its client's network and {@code User-Agent}; {@link #open(String,
 * ClientInfo)} compares them and alerts or terminates on a difference.
 *
 * <p>Thread-safe.
 */
public final class SessionManager {

  private static final Logger log = LoggerFactory.getLogger(SessionManager.class);

  static final String CSRF = ActiveSession.RESERVED_PREFIX + "csrf";
  static final String RENEWED_AT = ActiveSession.RESERVED_PREFIX + "renewedAt";
  static final String AUTH_TIME = ActiveSession.RESERVED_PREFIX + "authTime";

  private final SessionStore store;
  private final SessionPolicy policy;
  private final AttributeCodec codec;
  private final Clock clock;
  private final SecureRandom random;
  private final SessionIdGenerator ids;
  private final SessionIdDigest digest;
  private final SessionListener baseListener;
  private final List<SessionListener> addedListeners = new ArrayList<>();
  private volatile SessionListener listener;
  private final UnknownIdMonitor unknownIds;
  private final SessionBinding binding;
  private final RenewalForwards forwards = new RenewalForwards();
  private final ConcurrentSessionLimit concurrentLimit;
  private final PrincipalSessions principals = new PrincipalSessions(this);

  private SessionManager(Builder b) {
    this.store = b.store;
    this.policy = b.policy;
    this.codec = b.codec;
    this.clock = b.clock;
    this.random = b.random;
    this.ids = new SessionIdGenerator(b.random);
    this.digest = new SessionIdDigest(b.random);
    this.baseListener = b.listener;
    this.listener = b.listener;
    this.binding = new SessionBinding(policy.binding());
    this.unknownIds = new UnknownIdMonitor(b.clock, policy.unknownIdWindow(), policy.unknownIdLimit());
    this.concurrentLimit = b.concurrentLimit;
  }

  /** A builder over {@code store}. */
  public static Builder builder(SessionStore store) {
    return new Builder(store);
  }

  /** The policy in force. */
  public SessionPolicy policy() {
    return policy;
  }

  /** The codec for attribute values. */
  public AttributeCodec codec() {
    return codec;
  }

  /** The store underneath. */
  public SessionStore store() {
    return store;
  }

  /**
   * Adds {@code l} to the listeners given to the builder, for components that come later (the
   * servlet filter's expiry events). Events already under way may miss it.
   */
  public synchronized void addListener(SessionListener l) {
    requireNonNull(l, "listener");
    addedListeners.add(l);
    listener = SessionListener.all(listeners());
  }

  /** Removes a listener added with {@link #addListener}; does nothing for another. */
  public synchronized void removeListener(SessionListener l) {
    if (addedListeners.remove(l)) {
      listener = SessionListener.all(listeners());
    }
  }

  private List<SessionListener> listeners() {
    List<SessionListener> all = new ArrayList<>(addedListeners.size() + 1);
    all.add(baseListener);
    all.addAll(addedListeners);
    return all;
  }

  /** The log-safe digest of {@code id}. */
  public String digest(String id) {
    return digest.of(id);
  }

  /** As {@link #open(String, ClientInfo)} for a client known only by its address. */
  public Optional<ActiveSession> open(String id, String clientAddress) {
    return open(id, ClientInfo.ofAddress(clientAddress));
  }

  /**
   * Opens the live session {@code id} for a request from {@code client}. Returns empty for a
   * {@code null}, malformed, unknown, invalidated or expired id, counting it against the client
   * address; the id is never adopted. With {@linkplain SessionPolicy#binding() binding} on,
   * compares the client with the one the session is bound to: a difference fires {@link
   * SessionListener#bindingMismatch}, and in {@code TERMINATE} mode invalidates the session and
   * returns empty. Rotates the id first when the renewal timeout has run out; an id renewed on this
   * instance within the grace period opens the renewed session (whose {@link ActiveSession#id()}
   * then differs from the presented one).
   */
  public Optional<ActiveSession> open(String id, ClientInfo client) {
    requireNonNull(client, "client");
    String clientAddress = client.address();
    if (id == null) {
      return Optional.empty();
    }
    boolean wellFormed = SessionIds.isValid(id);
    String via = client.balancerBinding();
    Optional<SessionRecord> record =
        wellFormed ? timed("load", () -> via == null ? store.load(id) : store.load(id, via)) : Optional.empty();
    if (record.isEmpty() && wellFormed) {
      String renewed = forwards.lookup(id, clock.instant());
      if (renewed != null) {
        log.debug("session {} renewed meanwhile; serving {}", digest.of(id), digest.of(renewed));
        record = timed("load", () -> store.load(renewed));
      }
    }
    if (record.isEmpty()) {
      unknown(id, clientAddress);
      return Optional.empty();
    }
    ActiveSession s = new ActiveSession(this, record.get(), clock.instant());
    if (binding.enabled() && binding.mustTerminate(s, client, listener, digest)) {
      s.markInvalidated();
      principals.endById(s.id(), record.get());
      return Optional.empty();
    }
    SessionPolicy.Renewal renewal = policy.renewal();
    if (renewal.enabled()
        && !s.accessedAt().isBefore(renewedAt(s).plus(renewal.timeout()))) {
      String oldId = s.id();
      try {
        rotateId(s);
        if (!renewal.grace().isZero()) {
          forwards.add(oldId, s.id(), s.accessedAt(), s.accessedAt().plus(renewal.grace()));
        }
      } catch (IllegalStateException e) {
        log.debug("renewal of session {} failed: {}", digest.of(oldId), e.getMessage());
        if (!s.isValid()) {
          return Optional.empty();
        }
        throw e;
      }
    }
    return Optional.of(s);
  }

  /** A new session with a fresh id, bound to no client; stored at {@link #commit}. */
  public ActiveSession create() {
    return new ActiveSession(this, ids.next(), clock.instant(), policy);
  }

  /**
   * A new session with a fresh id for a request from {@code client}, bound to it when the policy
   * says so; stored at {@link #commit}.
   */
  public ActiveSession create(ClientInfo client) {
    requireNonNull(client, "client");
    ActiveSession s = create();
    binding.bind(s, client);
    return s;
  }

  /**
   * Writes what the request changed: the whole session if it is new, else one delta (or nothing).
   * Call before the response is committed so the next request, on any node, sees the change.
   *
   * @return whether the session is live in the store afterwards
   */
  public boolean commit(ActiveSession s) {
    requireNonNull(s, "session");
    if (!s.isValid()) {
      return false;
    }
    if (s.stored() == null) {
      SessionRecord first = s.newRecord();
      SaveResult r = timed("create", () -> store.create(first));
      if (!r.isSaved()) {
        throw new IllegalStateException("a freshly generated session id was already taken");
      }
      s.saved(first);
      listener.created(digest.of(first.id()));
      listener.written(digest.of(first.id()), serialisedSize(first));
      log.debug("session {} created", digest.of(first.id()));
      return true;
    }
    SessionDelta delta = s.delta(policy.touchInterval());
    if (delta == null) {
      return true;
    }
    SaveResult r = timed("save", () -> store.save(delta));
    if (!r.isSaved()) {
      s.markInvalidated();
      listener.lostSave(digest.of(delta.id()));
      log.debug("session {} gone before its save; changes dropped", digest.of(delta.id()));
      return false;
    }
    if (!r.conflicts().isEmpty()) {
      listener.conflict(digest.of(delta.id()), r.conflicts());
      log.debug("session {} overwrote concurrent changes of {}", digest.of(delta.id()), r.conflicts());
    }
    SessionRecord merged = ActiveSession.withVersion(s.stored().merge(delta).record(), r.version());
    s.saved(merged);
    if (!delta.changed().isEmpty() || !delta.removed().isEmpty()) {
      listener.written(digest.of(delta.id()), serialisedSize(merged));
    }
    return true;
  }

  /** Attribute names (UTF-8) plus encoded values: what {@link SessionListener#written} reports. */
  static long serialisedSize(SessionRecord r) {
    long size = 0;
    for (var e : r.attributes().entrySet()) {
      size += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().length();
    }
    return size;
  }

  /** Invalidates {@code s} everywhere (logout, R11); later saves of it are dropped. */
  public void invalidate(ActiveSession s) {
    requireNonNull(s, "session");
    if (!s.isValid()) {
      return;
    }
    s.markInvalidated();
    if (s.stored() != null) {
      String id = s.id();
      boolean deleted = timed("delete", () -> store.delete(id));
      if (deleted) {
        long lifetime = Duration.between(s.createdAt(), clock.instant()).toSeconds();
        listener.deleted(digest.of(id), lifetime);
        log.debug("session {} invalidated", digest.of(id));
      }
    }
  }

  /**
   * Gives {@code s} a new id keeping its attributes (R4, R5, R9); the old id is dead on every node
   * at once. Returns the new id.
   */
  public String rotateId(ActiveSession s) {
    requireNonNull(s, "session");
    if (!s.isValid()) {
      throw new IllegalStateException("cannot rotate the id of an invalidated session");
    }
    String oldId = s.id();
    String newId = ids.next();
    if (s.stored() != null) {
      SaveResult r = timed("rotateId", () -> store.rotateId(oldId, newId));
      if (r.outcome() == SaveResult.Outcome.GONE) {
        s.markInvalidated();
        throw new IllegalStateException("the session expired or was invalidated meanwhile");
      }
      if (!r.isSaved()) {
        throw new IllegalStateException("a freshly generated session id was already taken");
      }
    }
    s.changeId(newId);
    s.setInternal(RENEWED_AT, clock.millis());
    listener.rotated(digest.of(oldId), digest.of(newId));
    log.debug("session {} rotated to {}", digest.of(oldId), digest.of(newId));
    return newId;
  }

  /**
   * Login: enforces the {@link ConcurrentSessionLimit} if one is set (R10), sets the principal,
   * records the authentication time and rotates the id (R4). Returns the new id.
   *
   * @throws SessionLimitExceededException when the principal holds the most sessions allowed and
   *     the limit's action is to reject; {@code s} is left unchanged
   */
  public String login(ActiveSession s, String principal) {
    requireNonNull(principal, "principal");
    if (concurrentLimit != null) {
      principals.makeRoom(s, principal, concurrentLimit);
    }
    s.setPrincipal(principal);
    return reauthenticated(s);
  }

  /**
   * Re-authentication (step-up, password re-entry before a sensitive change, R4/R16): records the
   * authentication time and rotates the id. Returns the new id.
   */
  public String reauthenticated(ActiveSession s) {
    s.setInternal(AUTH_TIME, clock.millis());
    return rotateId(s);
  }

  /** When the user of {@code s} last authenticated, or empty for an anonymous session. */
  public Optional<Instant> authenticatedAt(ActiveSession s) {
    return s.attribute(AUTH_TIME) instanceof Number n ? Optional.of(Instant.ofEpochMilli(n.longValue())) : Optional.empty();
  }

  /**
   * Whether the user of {@code s} authenticated within {@code maxAge}: gate high-value operations on
   * it and ask for re-authentication otherwise (R16).
   */
  public boolean authenticatedWithin(ActiveSession s, Duration maxAge) {
    requireNonNull(maxAge, "maxAge");
    return authenticatedAt(s).map(t -> !t.plus(maxAge).isBefore(clock.instant())).orElse(false);
  }

  /**
   * The session's CSRF synchronizer token, created on first use: 256 random bits, stored in the
   * session, the same for every request of the session.
   */
  public String csrfToken(ActiveSession s) {
    Object token = s.attribute(CSRF);
    if (token instanceof String t) {
      return t;
    }
    String fresh = ids.next();
    s.setInternal(CSRF, fresh);
    return fresh;
  }

  /** Whether {@code presented} is the session's CSRF token (constant-time comparison). */
  public boolean verifyCsrf(ActiveSession s, String presented) {
    if (presented == null || !(s.attribute(CSRF) instanceof String expected)) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  /** Time left before {@code s} expires, counting this request as an access. */
  public Duration remaining(ActiveSession s) {
    Instant now = clock.instant();
    Instant idle = s.accessedAt().plus(s.idleTimeout());
    Instant absolute = s.createdAt().plus(s.absoluteTimeout());
    Instant end = idle.isBefore(absolute) ? idle : absolute;
    Duration left = Duration.between(now, end);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** The time remaining if it is within the policy's warning period, else empty. */
  public Optional<Duration> expiryWarning(ActiveSession s) {
    if (policy.expiryWarning().isZero()) {
      return Optional.empty();
    }
    Duration left = remaining(s);
    return left.compareTo(policy.expiryWarning()) <= 0 ? Optional.of(left) : Optional.empty();
  }

  /**
   * Expires what the store reports as expired, at most {@link SessionPolicy#sweepLimit()}, firing
   * {@link SessionListener#expired} for each. Safe to call from every node: each session is
   * claimed by one caller. Returns how many this call expired; always 0 for a store without
   * {@link StoreCapability#EXPIRY_SWEEP}, whose sessions expire unseen.
   */
  public int sweepExpired() {
    if (!store.capabilities().contains(StoreCapability.EXPIRY_SWEEP)) {
      return 0; // the store cannot see expired sessions (a client-side store): nothing to claim
    }
    List<SessionRecord> swept = timed("sweepExpired", () -> store.sweepExpired(policy.sweepLimit()));
    for (SessionRecord r : swept) {
      listener.expired(digest.of(r.id()), r);
    }
    if (!swept.isEmpty()) {
      log.debug("expired {} sessions", swept.size());
    }
    return swept.size();
  }

  /** Invalidates every session of {@code principal} (account disabled, R12); returns how many. */
  public int invalidateAll(String principal) {
    return principals.invalidateAll(principal);
  }

  /**
   * The live sessions of {@code current}'s principal, oldest first, for a "your sessions" page
   * (R15); empty for an anonymous session.
   */
  public List<SessionSummary> sessionsOf(ActiveSession current) {
    return principals.sessionsOf(current);
  }

  /**
   * Ends the session of {@code principal} named by {@code idDigest} (from {@link #sessionsOf});
   * returns whether one was ended. Sessions of other principals are never touched.
   */
  public boolean invalidate(String principal, String idDigest) {
    return principals.invalidate(principal, idDigest);
  }

  /**
   * Ends every session of {@code current}'s principal except {@code current} (after a password or
   * factor change, R13); returns how many.
   */
  public int invalidateOthers(ActiveSession current) {
    return principals.invalidateOthers(current);
  }

  /** Unknown ids counted for {@code clientAddress} in the current window. */
  public int unknownIdCount(String clientAddress) {
    return unknownIds.count(clientAddress);
  }

  private void unknown(String id, String clientAddress) {
    listener.unknownId(clientAddress);
    log.debug("unknown session id {} from {} not adopted", digest.of(id), clientAddress);
    int flood = unknownIds.record(clientAddress);
    if (flood > 0) {
      listener.unknownIdFlood(clientAddress, flood);
      log.warn(
          "{} unknown session ids from {} within {}: possible id guessing",
          flood,
          clientAddress,
          policy.unknownIdWindow());
    }
  }

  private Instant renewedAt(ActiveSession s) {
    Object v = s.attribute(RENEWED_AT);
    return v instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : s.createdAt();
  }

  /** The clock's reading, for the components the manager delegates to. */
  Instant now() {
    return clock.instant();
  }

  /** The listeners as one, for the components the manager delegates to. */
  SessionListener listener() {
    return listener;
  }

  /** Runs a store call, reporting its latency. */
  <T> T timed(String operation, Supplier<T> call) {
    long start = System.nanoTime();
    try {
      return call.get();
    } finally {
      listener.storeLatency(operation, System.nanoTime() - start);
    }
  }

  /** Builds a {@link SessionManager}; every setting has a default but the store. */
  public static final class Builder {
    private final SessionStore store;
    private SessionPolicy policy = SessionPolicy.defaults();
    private AttributeCodec codec;
    private Clock clock = Clock.systemUTC();
    private SecureRandom random = new SecureRandom();
    private SessionListener listener = new SessionListener() {};
    private ConcurrentSessionLimit concurrentLimit;

    private Builder(SessionStore store) {
      this.store = requireNonNull(store, "store");
    }

    public Builder policy(SessionPolicy p) {
      this.policy = requireNonNull(p, "policy");
      return this;
    }

    /** Defaults to JSON with compression over 1 KiB, no encryption. */
    public Builder codec(AttributeCodec c) {
      this.codec = requireNonNull(c, "codec");
      return this;
    }

    /** Must be the clock the store judges expiry by. */
    public Builder clock(Clock c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    public Builder random(SecureRandom r) {
      this.random = requireNonNull(r, "random");
      return this;
    }

    public Builder listener(SessionListener l) {
      this.listener = requireNonNull(l, "listener");
      return this;
    }

    /** Limits the live sessions per principal, checked at {@link SessionManager#login}; none by default. */
    public Builder concurrentSessions(ConcurrentSessionLimit limit) {
      this.concurrentLimit = requireNonNull(limit, "limit");
      return this;
    }

    public SessionManager build() {
      if (codec == null) {
        codec = AttributeCodec.json();
      }
      return new SessionManager(this);
    }
  }
}
