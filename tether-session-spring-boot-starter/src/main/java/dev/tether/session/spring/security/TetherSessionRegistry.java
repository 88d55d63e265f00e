package dev.tether.session.spring.security;

import static java.util.Objects.requireNonNull;

import dev.tether.session.ActiveSession;
import dev.tether.session.SessionManager;
import dev.tether.session.servlet.TetherSessionFilter;
import dev.tether.session.spi.SessionRecord;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.AuthenticatedPrincipal;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Spring Security's {@link SessionRegistry} over tether-session's principal index, so {@code
 * sessionManagement().maximumSessions(n)} counts a user's sessions on every instance, and ending
 * one (the least recently used, when the limit is reached) ends it everywhere.
 *
 * <p>{@link #registerNewSession} records the principal on the Tether session of the request being
 * authenticated (it is saved with the session, which updates the index). Sessions end through the
 * store (logout, expiry, {@link SessionInformation#expireNow()}), so {@link
 * #removeSessionInformation} and {@link #refreshLastRequest} have nothing to do; {@link
 * #getAllPrincipals} is empty, because the index answers by principal only. Thread-safe.
 */
public final class TetherSessionRegistry implements SessionRegistry {

  private static final Logger log = LoggerFactory.getLogger(TetherSessionRegistry.class);

  private final SessionManager manager;

  /** A registry over {@code manager}'s store. */
  public TetherSessionRegistry(SessionManager manager) {
    this.manager = requireNonNull(manager, "manager");
  }

  /** The name the principal index knows {@code principal} by. */
  public static String nameOf(Object principal) {
    requireNonNull(principal, "principal");
    if (principal instanceof UserDetails u) {
      return u.getUsername();
    }
    if (principal instanceof AuthenticatedPrincipal p) {
      return p.getName();
    }
    if (principal instanceof Principal p) {
      return p.getName();
    }
    return principal.toString();
  }

  @Override
  public List<Object> getAllPrincipals() {
    return List.of();
  }

  @Override
  public List<SessionInformation> getAllSessions(Object principal, boolean includeExpiredSessions) {
    String name = nameOf(principal);
    List<SessionInformation> out = new ArrayList<>();
    for (String id : manager.store().findByPrincipal(name)) {
      manager
          .store()
          .load(id)
          .filter(r -> name.equals(r.principal()))
          .ifPresent(r -> out.add(info(principal, r)));
    }
    out.sort(Comparator.comparing(SessionInformation::getLastRequest));
    return out;
  }

  @Override
  public SessionInformation getSessionInformation(String sessionId) {
    Optional<ActiveSession> current = current(sessionId);
    if (current.isPresent()) {
      ActiveSession s = current.get();
      return s.principal() == null
          ? null
          : new TetherSessionInformation(
              s.principal(), s.principal(), sessionId, Date.from(s.lastAccessedAt()), manager);
    }
    return manager
        .store()
        .load(sessionId)
        .filter(r -> r.principal() != null)
        .map(r -> info(r.principal(), r))
        .orElse(null);
  }

  @Override
  public void refreshLastRequest(String sessionId) {
    // the session manager records every access itself
  }

  @Override
  public void registerNewSession(String sessionId, Object principal) {
    Optional<ActiveSession> s = current(sessionId);
    if (s.isEmpty()) {
      log.warn(
          "session {} is not the session of the current request; its principal is not indexed",
          manager.digest(sessionId));
      return;
    }
    s.get().setPrincipal(nameOf(principal));
  }

  @Override
  public void removeSessionInformation(String sessionId) {
    // a session leaves the index when it ends in the store
  }

  private TetherSessionInformation info(Object principal, SessionRecord r) {
    return new TetherSessionInformation(
        principal, r.principal(), r.id(), Date.from(r.lastAccessedAt()), manager);
  }

  /** The current request's Tether session, if its id is {@code sessionId}. */
  private static Optional<ActiveSession> current(String sessionId) {
    RequestAttributes attrs = RequestContextHolder.getRequestAttributes();
    if (!(attrs instanceof ServletRequestAttributes sra)) {
      return Optional.empty();
    }
    HttpServletRequest request = sra.getRequest();
    ActiveSession s = TetherSessionFilter.session(request, false);
    return s != null && s.id().equals(sessionId) ? Optional.of(s) : Optional.empty();
  }
}
