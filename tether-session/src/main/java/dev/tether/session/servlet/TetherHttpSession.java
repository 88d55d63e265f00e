package dev.tether.session.servlet;

import dev.tether.session.ActiveSession;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HttpSession} over an {@link ActiveSession}, delivering attribute and binding events
 * ({@link SessionEvents}). {@code setMaxInactiveInterval} with a value of zero or less is refused
 * (sessions always expire, R7). The library's reserved attributes (CSRF token, client binding) are
 * neither listed nor readable here.
 */
final class TetherHttpSession implements HttpSession {

  private static final Logger log = LoggerFactory.getLogger(TetherHttpSession.class);

  private final SessionRequest request;
  private final ActiveSession session;
  private final SessionEvents events;
  private boolean invalidating;

  TetherHttpSession(SessionRequest request, ActiveSession session, SessionEvents events) {
    this.request = request;
    this.session = session;
    this.events = events;
  }

  ActiveSession active() {
    return session;
  }

  @Override
  public long getCreationTime() {
    checkValid();
    return session.createdAt().toEpochMilli();
  }

  @Override
  public String getId() {
    return session.id();
  }

  @Override
  public long getLastAccessedTime() {
    checkValid();
    return session.lastAccessedAt().toEpochMilli();
  }

  @Override
  public ServletContext getServletContext() {
    return request.getServletContext();
  }

  @Override
  public void setMaxInactiveInterval(int interval) {
    if (interval <= 0) {
      throw new IllegalArgumentException(
          "max inactive interval " + interval + "s: sessions must expire; give a positive value");
    }
    session.setIdleTimeout(Duration.ofSeconds(interval));
  }

  @Override
  public int getMaxInactiveInterval() {
    return (int) session.idleTimeout().toSeconds();
  }

  /** The attribute's value; {@code null} for the library's reserved names, as for absent ones. */
  @Override
  public Object getAttribute(String name) {
    if (name != null && name.startsWith(ActiveSession.RESERVED_PREFIX)) {
      checkValid();
      return null;
    }
    return session.attribute(name);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    return Collections.enumeration(session.attributeNames());
  }

  @Override
  public void setAttribute(String name, Object value) {
    if (value == null) {
      removeAttribute(name);
      return;
    }
    if (name == null || name.startsWith(ActiveSession.RESERVED_PREFIX)) {
      session.setAttribute(name, value); // refused with the reason
      return;
    }
    Object old = previous(name);
    events.binding(this, name, value, old);
    session.setAttribute(name, value);
    events.bound(this, name, value, old);
  }

  @Override
  public void removeAttribute(String name) {
    if (name == null || name.startsWith(ActiveSession.RESERVED_PREFIX)) {
      session.removeAttribute(name); // refused with the reason
      return;
    }
    Object old = previous(name);
    session.removeAttribute(name);
    if (old != null) {
      events.unbound(this, name, old);
    }
  }

  @Override
  public void invalidate() {
    checkValid();
    synchronized (this) {
      if (invalidating) {
        throw new IllegalStateException("the session is already being invalidated");
      }
      invalidating = true;
    }
    request.invalidate(this);
  }

  /** Removes every attribute with its unbind events (invalidation, after sessionDestroyed). */
  void unbindAll() {
    for (String name : session.attributeNames()) {
      removeAttribute(name);
    }
  }

  /**
   * The current value of {@code name} for the events. A stored value that cannot be decoded (its
   * class no longer allowed, its key retired) must not stop the application from overwriting or
   * removing it, so it counts as absent for the events, and that is logged.
   */
  private Object previous(String name) {
    checkValid();
    try {
      return session.attribute(name);
    } catch (IllegalArgumentException | IllegalStateException e) {
      log.warn(
          "attribute '{}' of session {} cannot be decoded, so it is replaced without unbind"
              + " events: {}",
          name,
          request.digest(session),
          e.toString());
      return null;
    }
  }

  @Override
  public boolean isNew() {
    checkValid();
    return session.isNew();
  }

  private void checkValid() {
    if (!session.isValid()) {
      throw new IllegalStateException("the session has been invalidated");
    }
  }
}
