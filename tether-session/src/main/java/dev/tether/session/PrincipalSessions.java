package dev.tether.session;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's sessions, over the store's principal index: listing them for a "your sessions" page and
 * ending them (R12, R13, R15), and making room under a {@link ConcurrentSessionLimit} at login
 * (R10, for {@link SessionAuthentication#login}). Sessions are named outside by their log-safe
 * digest, never by id.
 *
 * <pre>{@code
 * List<SessionSummary> mine = sessions.principals().sessionsOf(current);
 * sessions.principals().invalidate(current.principal(), mine.get(0).idDigest());
 * }</pre>
 *
 * <p>Thread-safe; from {@link SessionManager#principals()}.
 */
public final class PrincipalSessions {

  private static final Logger log = LoggerFactory.getLogger(PrincipalSessions.class);

  private final SessionStore store;
  private final SessionIdDigest digest;
  private final Clock clock;
  private final SessionListeners listeners;

  /** Over {@code store} (timed), firing events to {@code listeners}. */
  PrincipalSessions(
      SessionStore store, SessionIdDigest digest, Clock clock, SessionListeners listeners) {
    this.store = store;
    this.digest = digest;
    this.clock = clock;
    this.listeners = listeners;
  }

  /**
   * Ends {@code principal}'s least recently used sessions other than {@code s} so that {@code s}
   * fits under {@code limit}, or throws {@link SessionLimitExceededException} when the limit
   * rejects.
   */
  void makeRoom(ActiveSession s, String principal, ConcurrentSessionLimit limit) {
    List<SessionRecord> others = new ArrayList<>();
    for (String id : store.findByPrincipal(principal)) {
      if (!id.equals(s.id())) {
        store.load(id).filter(r -> principal.equals(r.principal())).ifPresent(others::add);
      }
    }
    for (SessionRecord r : limit.toEvict(principal, others)) {
      if (endById(r.id(), r)) {
        log.debug(
            "session {} ended: its principal reached the concurrent session limit",
            digest.of(r.id()));
      }
    }
  }

  /** Invalidates every session of {@code principal} (account disabled, R12); returns how many. */
  public int invalidateAll(String principal) {
    requireNonNull(principal, "principal");
    int n = 0;
    Set<String> found = store.findByPrincipal(principal);
    for (String id : found) {
      if (endById(id)) {
        n++;
      }
    }
    return n;
  }

  /**
   * The live sessions of {@code current}'s principal, oldest first, for a "your sessions" page
   * (R15); empty for an anonymous session.
   */
  public List<SessionSummary> sessionsOf(ActiveSession current) {
    String principal = current.principal();
    if (principal == null) {
      return List.of();
    }
    List<SessionSummary> out = new ArrayList<>();
    for (String id : store.findByPrincipal(principal)) {
      store
          .load(id)
          .filter(r -> principal.equals(r.principal()))
          .ifPresent(
              r ->
                  out.add(
                      new SessionSummary(
                          digest.of(id),
                          r.createdAt(),
                          r.lastAccessedAt(),
                          r.expiresAt(),
                          id.equals(current.id()))));
    }
    out.sort(Comparator.comparing(SessionSummary::createdAt));
    return out;
  }

  /**
   * Ends the session of {@code principal} named by {@code idDigest} (from {@link #sessionsOf});
   * returns whether one was ended. Sessions of other principals are never touched.
   */
  public boolean invalidate(String principal, String idDigest) {
    requireNonNull(principal, "principal");
    requireNonNull(idDigest, "idDigest");
    for (String id : store.findByPrincipal(principal)) {
      if (digest.of(id).equals(idDigest) && endById(id)) {
        log.debug("session {} ended by its owner", idDigest);
        return true;
      }
    }
    return false;
  }

  /**
   * Ends every session of {@code current}'s principal except {@code current} (after a password or
   * factor change, R13); returns how many.
   */
  public int invalidateOthers(ActiveSession current) {
    String principal = current.principal();
    if (principal == null) {
      return 0;
    }
    int n = 0;
    for (String id : store.findByPrincipal(principal)) {
      if (!id.equals(current.id()) && endById(id)) {
        n++;
      }
    }
    return n;
  }

  /** {@link #endById(String, SessionRecord)} with the record read first. */
  private boolean endById(String id) {
    return endById(id, store.load(id).orElse(null));
  }

  /**
   * Deletes session {@code id} and, if this call deleted it, fires {@link SessionListener#deleted}
   * and, when {@code before} (the session as last read) is known, {@link
   * SessionListener#endedById}; returns whether it was deleted.
   */
  boolean endById(String id, SessionRecord before) {
    if (!store.delete(id)) {
      return false;
    }
    String d = digest.of(id);
    long lifetime =
        before == null ? -1 : Duration.between(before.createdAt(), clock.instant()).toSeconds();
    SessionListener listener = listeners.all();
    listener.deleted(d, lifetime);
    if (before != null) {
      listener.endedById(d, before);
    }
    return true;
  }
}
