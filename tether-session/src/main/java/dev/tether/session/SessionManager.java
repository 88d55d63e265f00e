package dev.tether.session;

import static java.util.Objects.requireNonNull;

import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.metrics.TimedSessionStore;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionIds;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.StoreCapability;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies session policy over a {@link SessionStore}: opens, creates, commits, invalidates and
 * rotates sessions under strict mode, idle/absolute/renewal timeouts and sliding expiry with
 * coalesced last-access writes, with expiry warnings, the unknown-id counter and lifecycle events
 * with salted id digests. Its services do the rest over the same store and listeners: {@link
 * #principals()} (a user's sessions), {@link #authentication()} (login, re-authentication) and
 * {@link #csrf()} (synchronizer tokens). Every store call is timed once, by the {@link
 * TimedSessionStore} the manager wraps its store in ({@link SessionListener#storeLatency}).
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
 * (only set/removed attributes); a request that changed nothing writes only when the last access is
 * older than {@link SessionPolicy#touchInterval()} (Jetty's {@code savePeriodSec} idea), so a
 * read-mostly session costs no write on most requests. <b>Conflicts</b> are resolved by the store,
 * last writer wins per attribute, and reported to {@link SessionListener#conflict}. A save that
 * finds the session gone is dropped, never re-created (no resurrection after logout).
 * <b>Binding</b> (optional, {@link SessionPolicy.Binding}): a session created with {@link
 * #create(ClientInfo)} remembers hashes of its client's network and {@code User-Agent}; {@link
 * #open(String, ClientInfo)} compares them and alerts or terminates on a difference.
 *
 * <p>Thread-safe.
 */
public final class SessionManager {

  private static final Logger log = LoggerFactory.getLogger(SessionManager.class);

  static final String RENEWED_AT = ActiveSession.RESERVED_PREFIX + "renewedAt";

  /** The store as given, for {@link #store()}. */
  private final SessionStore given;

  /** The store every call goes to: the given one, timed. */
  private final SessionStore store;

  private final SessionPolicy policy;
  private final AttributeCodec codec;
  private final Clock clock;
  private final SessionIdGenerator ids;
  private final SessionIdDigest digest;
  private final SessionListeners listeners;
  private final UnknownIdMonitor unknownIds;
  private final SessionBinding binding;
  private final RenewalForwards forwards = new RenewalForwards();
  private final PrincipalSessions principals;
  private final SessionAuthentication authentication;
  private final CsrfTokens csrf;

  private SessionManager(Builder b) {
    this.listeners = new SessionListeners(b.listener);
    this.given = b.store;
    this.store =
        new TimedSessionStore(
            b.store, (operation, nanos) -> listeners.all().storeLatency(operation, nanos));
    this.policy = b.policy;
    this.codec = b.codec;
    this.clock = b.clock;
    this.ids = new SessionIdGenerator(b.random);
    this.digest = new SessionIdDigest(b.random);
    this.binding = new SessionBinding(policy.binding());
    this.unknownIds =
        new UnknownIdMonitor(b.clock, policy.unknownIdWindow(), policy.unknownIdLimit());
    this.principals = new PrincipalSessions(store, digest, b.clock, listeners);
    this.authentication = new SessionAuthentication(b.clock, principals, b.concurrentLimit);
    this.csrf = new CsrfTokens(ids);
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

  /** The store underneath, as given to the builder. */
  public SessionStore store() {
    return given;
  }

  /** A user's sessions: listing and ending them (R12, R13, R15). */
  public PrincipalSessions principals() {
    return principals;
  }

  /** Login, re-authentication and the authentication time (R4, R10, R16). */
  public SessionAuthentication authentication() {
    return authentication;
  }

  /** The sessions' CSRF synchronizer tokens. */
  public CsrfTokens csrf() {
    return csrf;
  }

  /**
   * Adds {@code l} to the listeners given to the builder, for components that come later (the
   * servlet filter's expiry events). Events already under way may miss it.
   */
  public void addListener(SessionListener l) {
    listeners.add(l);
  }

  /** Removes a listener added with {@link #addListener}; does nothing for another. */
  public void removeListener(SessionListener l) {
    listeners.remove(l);
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
   * Opens the live session {@code id} for a request from {@code client}. Returns empty for a {@code
   * null}, malformed, unknown, invalidated or expired id, counting it against the client address;
   * the id is never adopted. With {@linkplain SessionPolicy#binding() binding} on, compares the
   * client with the one the session is bound to: a difference fires {@link
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
        wellFormed ? (via == null ? store.load(id) : store.load(id, via)) : Optional.empty();
    if (record.isEmpty() && wellFormed) {
      String renewed = forwards.lookup(id, clock.instant());
      if (renewed != null) {
        log.debug("session {} renewed meanwhile; serving {}", digest.of(id), digest.of(renewed));
        record = store.load(renewed);
      }
    }
    if (record.isEmpty()) {
      unknown(id, clientAddress);
      return Optional.empty();
    }
    ActiveSession s = new ActiveSession(this, record.get(), clock.instant());
    if (binding.enabled() && binding.mustTerminate(s, client, listeners.all(), digest)) {
      s.markInvalidated();
      principals.endById(s.id(), record.get());
      return Optional.empty();
    }
    SessionPolicy.Renewal renewal = policy.renewal();
    if (renewal.enabled() && !s.accessedAt().isBefore(renewedAt(s).plus(renewal.timeout()))) {
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
      SaveResult r = store.create(first);
      if (!r.isSaved()) {
        throw new IllegalStateException("a freshly generated session id was already taken");
      }
      s.saved(first);
      SessionListener listener = listeners.all();
      listener.created(digest.of(first.id()));
      listener.written(digest.of(first.id()), serialisedSize(first));
      log.debug("session {} created", digest.of(first.id()));
      return true;
    }
    SessionDelta delta = s.delta(policy.touchInterval());
    if (delta == null) {
      return true;
    }
    SaveResult r = store.save(delta);
    SessionListener listener = listeners.all();
    if (!r.isSaved()) {
      s.markInvalidated();
      listener.lostSave(digest.of(delta.id()));
      log.debug("session {} gone before its save; changes dropped", digest.of(delta.id()));
      return false;
    }
    if (!r.conflicts().isEmpty()) {
      listener.conflict(digest.of(delta.id()), r.conflicts());
      log.debug(
          "session {} overwrote concurrent changes of {}", digest.of(delta.id()), r.conflicts());
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
      boolean deleted = store.delete(id);
      if (deleted) {
        long lifetime = Duration.between(s.createdAt(), clock.instant()).toSeconds();
        listeners.all().deleted(digest.of(id), lifetime);
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
      SaveResult r = store.rotateId(oldId, newId);
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
    listeners.all().rotated(digest.of(oldId), digest.of(newId));
    log.debug("session {} rotated to {}", digest.of(oldId), digest.of(newId));
    return newId;
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
   * {@link SessionListener#expired} for each. Safe to call from every node: each session is claimed
   * by one caller. Returns how many this call expired; always 0 for a store without {@link
   * StoreCapability#EXPIRY_SWEEP}, whose sessions expire unseen.
   */
  public int sweepExpired() {
    if (!store.capabilities().contains(StoreCapability.EXPIRY_SWEEP)) {
      return 0; // the store cannot see expired sessions (a client-side store): nothing to claim
    }
    List<SessionRecord> swept = store.sweepExpired(policy.sweepLimit());
    SessionListener listener = listeners.all();
    for (SessionRecord r : swept) {
      listener.expired(digest.of(r.id()), r);
    }
    if (!swept.isEmpty()) {
      log.debug("expired {} sessions", swept.size());
    }
    return swept.size();
  }

  /** Unknown ids counted for {@code clientAddress} in the current window. */
  public int unknownIdCount(String clientAddress) {
    return unknownIds.count(clientAddress);
  }

  private void unknown(String id, String clientAddress) {
    SessionListener listener = listeners.all();
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

    /**
     * Limits the live sessions per principal, checked at {@link SessionAuthentication#login}; none
     * by default.
     */
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
