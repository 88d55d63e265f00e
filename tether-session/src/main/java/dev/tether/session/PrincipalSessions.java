package dev.tether.session;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SessionRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SessionManager}'s operations over the principal index: listing and ending a user's
 * sessions (R12, R13, R15) and making room under a {@link ConcurrentSessionLimit} at login (R10).
 */
final class PrincipalSessions {

  private static final Logger log = LoggerFactory.getLogger(PrincipalSessions.class);

  private final SessionManager manager;

  PrincipalSessions(SessionManager manager) {
    this.manager = manager;
  }

  /**
   * Ends {@code principal}'s least recently used sessions other than {@code s} so that {@code s}
   * fits under {@code limit}, or throws {@link SessionLimitExceededException} when the limit rejects.
   */
  void makeRoom(ActiveSession s, String principal, ConcurrentSessionLimit limit) {
    List<SessionRecord> others = new ArrayList<>();
    for (String id : manager.timed("findByPrincipal", () -> manager.store().findByPrincipal(principal))) {
      if (!id.equals(s.id())) {
        manager.timed("load", () -> manager.store().load(id))
            .filter(r -> principal.equals(r.principal()))
            .ifPresent(others::add);
      }
    }
    for (SessionRecord r : limit.toEvict(principal, others)) {
      if (endById(r.id(), r)) {
        log.debug("session {} ended: its principal reached the concurrent session limit", manager.digest(r.id()));
      }
    }
  }

  /** Invalidates every session of {@code principal} (account disabled, R12); returns how many. */
  int invalidateAll(String principal) {
    requireNonNull(principal, "principal");
    int n = 0;
    Set<String> found = manager.timed("findByPrincipal", () -> manager.store().findByPrincipal(principal));
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
  List<SessionSummary> sessionsOf(ActiveSession current) {
    String principal = current.principal();
    if (principal == null) {
      return List.of();
    }
    List<SessionSummary> out = new ArrayList<>();
    for (String id : manager.timed("findByPrincipal", () -> manager.store().findByPrincipal(principal))) {
      manager.timed("load", () -> manager.store().load(id))
          .filter(r -> principal.equals(r.principal()))
          .ifPresent(
              r ->
                  out.add(
                      new SessionSummary(
                          manager.digest(id),
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
  boolean invalidate(String principal, String idDigest) {
    requireNonNull(principal, "principal");
    requireNonNull(idDigest, "idDigest");
    for (String id : manager.timed("findByPrincipal", () -> manager.store().findByPrincipal(principal))) {
      if (manager.digest(id).equals(idDigest) && endById(id)) {
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
  int invalidateOthers(ActiveSession current) {
    String principal = current.principal();
    if (principal == null) {
      return 0;
    }
    int n = 0;
    for (String id : manager.timed("findByPrincipal", () -> manager.store().findByPrincipal(principal))) {
      if (!id.equals(current.id()) && endById(id)) {
        n++;
      }
    }
    return n;
  }

  /** {@link #endById(String, SessionRecord)} with the record read first. */
  private boolean endById(String id) {
    return endById(id, manager.timed("load", () -> manager.store().load(id)).orElse(null));
  }

  /**
   * Deletes session {@code id} and, if this call deleted it, fires {@link SessionListener#deleted}
   * and, when {@code before} (the session as last read) is known, {@link
   * SessionListener#endedById}; returns whether it was deleted.
   */
  boolean endById(String id, SessionRecord before) {
    if (!manager.timed("delete", () -> manager.store().delete(id))) {
      return false;
    }
    String digest = manager.digest(id);
    long lifetime = before == null ? -1 : Duration.between(before.createdAt(), manager.now()).toSeconds();
    manager.listener().deleted(digest, lifetime);
    if (before != null) {
      manager.listener().endedById(digest, before);
    }
    return true;
  }
}
