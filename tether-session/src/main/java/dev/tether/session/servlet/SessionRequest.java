package dev.tether.session.servlet;

import dev.tether.session.ActiveSession;
import dev.tether.session.SessionManager;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.Optional;

/**
 * The request as the application sees it behind {@link TetherSessionFilter}: sessions come from
 * the manager, opened lazily on first use (a request that never asks costs no store call).
 */
final class SessionRequest extends HttpServletRequestWrapper {

  /** Response header carrying the seconds left before expiry, in the warning period. */
  static final String EXPIRES_IN = "Tether-Session-Expires-In";

  private final SessionManager manager;
  private final SessionCookie cookie;
  private final String requestedId;
  private HttpServletResponse response;
  private boolean opened;
  private ActiveSession active;
  private boolean requestedValid;
  private String cookieId;

  SessionRequest(HttpServletRequest request, SessionManager manager, SessionCookie cookie) {
    super(request);
    this.manager = manager;
    this.cookie = cookie;
    this.requestedId = cookie.read(request.getHeaders("Cookie"));
    this.cookieId = requestedId;
  }

  void attach(HttpServletResponse r) {
    this.response = r;
  }

  /** The active session, opening or creating it as asked; {@code null} when none. */
  synchronized ActiveSession active(boolean create) {
    if (!opened) {
      opened = true;
      Optional<ActiveSession> found = manager.open(requestedId, getRemoteAddr());
      if (found.isPresent()) {
        active = found.get();
        requestedValid = active.id().equals(requestedId);
        if (!requestedValid) {
          sendCookie(); // renewed now, or renewed moments ago and reached through the grace
        }
        manager
            .expiryWarning(active)
            .ifPresent(left -> setHeader(EXPIRES_IN, Long.toString(left.toSeconds())));
      } else if (requestedId != null && !response.isCommitted()) {
        // a stale or forged id: drop it from the browser so it is not presented again
        response.addHeader("Set-Cookie", cookie.expireCookie());
        cookieId = null;
      }
    }
    if ((active == null || !active.isValid()) && create) {
      active = manager.create();
      sendCookie();
    }
    return active != null && active.isValid() ? active : null;
  }

  @Override
  public HttpSession getSession(boolean create) {
    ActiveSession s = active(create);
    return s == null ? null : new TetherHttpSession(this, s);
  }

  @Override
  public HttpSession getSession() {
    return getSession(true);
  }

  @Override
  public String changeSessionId() {
    ActiveSession s = active(false);
    if (s == null) {
      throw new IllegalStateException("there is no session whose id could change");
    }
    String id = s.rotateId();
    sendCookie();
    return id;
  }

  @Override
  public String getRequestedSessionId() {
    return requestedId;
  }

  @Override
  public boolean isRequestedSessionIdValid() {
    active(false);
    return requestedValid && active != null && active.isValid();
  }

  @Override
  public boolean isRequestedSessionIdFromCookie() {
    return requestedId != null;
  }

  @Override
  public boolean isRequestedSessionIdFromURL() {
    return false;
  }

  /** Invalidate (logout): delete everywhere, expire the cookie, clear site data (R11, R25). */
  synchronized void invalidate() {
    if (active != null) {
      manager.invalidate(active);
      if (!response.isCommitted()) {
        response.addHeader("Set-Cookie", cookie.expireCookie());
        response.setHeader("Clear-Site-Data", "\"cache\", \"cookies\", \"storage\"");
        response.setHeader("Cache-Control", "no-store");
      }
    }
  }

  /** Writes the session's changes; called before the response commits and at the end. */
  synchronized void commit() {
    if (active != null && active.isValid()) {
      if (!active.id().equals(cookieId)) { // null after a stale cookie was dropped
        sendCookie();
      }
      manager.commit(active);
    }
  }

  /** Sends the current id; also catches rotations done through the plain API. */
  private void sendCookie() {
    if (!response.isCommitted()) {
      cookieId = active.id();
      response.addHeader("Set-Cookie", cookie.setCookie(active.id()));
      response.setHeader("Cache-Control", "no-store");
    }
  }

  private void setHeader(String name, String value) {
    if (!response.isCommitted()) {
      response.setHeader(name, value);
    }
  }
}
