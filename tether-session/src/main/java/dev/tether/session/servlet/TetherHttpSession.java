package dev.tether.session.servlet;

import dev.tether.session.ActiveSession;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;

/**
 * {@link HttpSession} over an {@link ActiveSession}. {@code setMaxInactiveInterval} with a value of
 * zero or less is refused (sessions always expire, R7).
 */
final class TetherHttpSession implements HttpSession {

  private final SessionRequest request;
  private final ActiveSession session;

  TetherHttpSession(SessionRequest request, ActiveSession session) {
    this.request = request;
    this.session = session;
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

  @Override
  public Object getAttribute(String name) {
    return session.attribute(name);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    return Collections.enumeration(session.attributeNames());
  }

  @Override
  public void setAttribute(String name, Object value) {
    session.setAttribute(name, value);
  }

  @Override
  public void removeAttribute(String name) {
    session.removeAttribute(name);
  }

  @Override
  public void invalidate() {
    checkValid();
    request.invalidate();
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
