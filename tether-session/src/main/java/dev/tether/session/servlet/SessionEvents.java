package dev.tether.session.servlet;

import static java.util.Objects.requireNonNull;

import dev.tether.session.ActiveSession;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers Servlet session events (and {@link SessionCommitListener} calls) to the listeners
 * registered with {@link TetherSessionFilter.Builder#listener} and to attribute values that
 * implement {@link HttpSessionBindingListener}, in the order the Servlet specification and
 * Jetty/Tomcat use: {@code sessionCreated} in registration order, {@code sessionDestroyed} in
 * reverse order and before the attributes are unbound; {@code valueBound} before the value can be
 * read, {@code valueUnbound} after it is gone; the attribute listeners last. Immutable,
 * thread-safe.
 */
final class SessionEvents {

  private static final Logger log = LoggerFactory.getLogger(SessionEvents.class);

  static final SessionEvents NONE = new SessionEvents(List.of());

  private final List<HttpSessionListener> lifecycle = new ArrayList<>();
  private final List<HttpSessionAttributeListener> attributes = new ArrayList<>();
  private final List<HttpSessionIdListener> ids = new ArrayList<>();
  private final List<SessionCommitListener> commits = new ArrayList<>();

  /**
   * Events for {@code listeners}, each an {@link HttpSessionListener}, {@link
   * HttpSessionAttributeListener} or {@link HttpSessionIdListener} (or several of them).
   */
  SessionEvents(List<? extends EventListener> listeners) {
    for (EventListener l : listeners) {
      requireNonNull(l, "listener");
      boolean known = false;
      if (l instanceof HttpSessionListener s) {
        lifecycle.add(s);
        known = true;
      }
      if (l instanceof HttpSessionAttributeListener a) {
        attributes.add(a);
        known = true;
      }
      if (l instanceof HttpSessionIdListener i) {
        ids.add(i);
        known = true;
      }
      if (l instanceof SessionCommitListener c) {
        commits.add(c);
        known = true;
      }
      if (!known) {
        throw new IllegalArgumentException(
            "listener "
                + l.getClass().getName()
                + " is not an HttpSessionListener, HttpSessionAttributeListener or"
                + " HttpSessionIdListener or SessionCommitListener"
                + (l instanceof HttpSessionBindingListener
                    ? "; an HttpSessionBindingListener is notified as an attribute value, not"
                        + " registered"
                    : ""));
      }
    }
  }

  void created(HttpSession s) {
    HttpSessionEvent e = new HttpSessionEvent(s);
    lifecycle.forEach(l -> l.sessionCreated(e));
  }

  /** {@code sessionDestroyed}, in reverse registration order. */
  void destroyed(HttpSession s) {
    HttpSessionEvent e = new HttpSessionEvent(s);
    lifecycle.reversed().forEach(l -> l.sessionDestroyed(e));
  }

  /** After a save of {@code s}, while {@code response} is uncommitted. */
  void committed(ActiveSession s, HttpServletRequest request, HttpServletResponse response) {
    for (SessionCommitListener l : commits) {
      l.sessionCommitted(s, request, response);
    }
  }

  void idChanged(HttpSession s, String oldId) {
    HttpSessionEvent e = new HttpSessionEvent(s);
    ids.forEach(l -> l.sessionIdChanged(e, oldId));
  }

  /** Before {@code value} is set under {@code name} in place of {@code old} (may be null). */
  void binding(HttpSession s, String name, Object value, Object old) {
    if (value instanceof HttpSessionBindingListener b && value != old) {
      b.valueBound(new HttpSessionBindingEvent(s, name, value));
    }
  }

  /** After {@code value} was set under {@code name} in place of {@code old} (may be null). */
  void bound(HttpSession s, String name, Object value, Object old) {
    if (old instanceof HttpSessionBindingListener u && old != value) {
      u.valueUnbound(new HttpSessionBindingEvent(s, name, old));
    }
    if (old == null) {
      HttpSessionBindingEvent e = new HttpSessionBindingEvent(s, name, value);
      attributes.forEach(l -> l.attributeAdded(e));
    } else {
      HttpSessionBindingEvent e = new HttpSessionBindingEvent(s, name, old);
      attributes.forEach(l -> l.attributeReplaced(e));
    }
  }

  /** After {@code old} was removed from {@code name}. */
  void unbound(HttpSession s, String name, Object old) {
    HttpSessionBindingEvent e = new HttpSessionBindingEvent(s, name, old);
    if (old instanceof HttpSessionBindingListener u) {
      u.valueUnbound(e);
    }
    attributes.forEach(l -> l.attributeRemoved(e));
  }

  /**
   * The events of a session that expired and that this instance's sweep claimed: {@code
   * sessionDestroyed} with its attributes readable, then each attribute unbound. Runs on the
   * sweeper thread, so a failing listener or an unreadable value is logged and the rest still runs;
   * the remaining sessions of the sweep must still get their events.
   */
  void expired(ExpiredHttpSession s) {
    HttpSessionEvent e = new HttpSessionEvent(s);
    for (HttpSessionListener l : lifecycle.reversed()) {
      guarded(s, l, x -> x.sessionDestroyed(e));
    }
    for (String name : s.names()) {
      Object value;
      try {
        value = s.getAttribute(name);
      } catch (RuntimeException ex) {
        log.warn(
            "attribute '{}' of expired session {} cannot be decoded, so it is not unbound: {}",
            name,
            s.digest(),
            ex.toString());
        continue;
      }
      HttpSessionBindingEvent be = new HttpSessionBindingEvent(s, name, value);
      if (value instanceof HttpSessionBindingListener u) {
        guarded(s, u, x -> x.valueUnbound(be));
      }
      for (HttpSessionAttributeListener l : attributes) {
        guarded(s, l, x -> x.attributeRemoved(be));
      }
    }
  }

  private static <T> void guarded(ExpiredHttpSession s, T target, Consumer<T> call) {
    try {
      call.accept(target);
    } catch (RuntimeException ex) {
      log.warn("session listener failed on the expiry of session {} ({})", s.digest(), target, ex);
    }
  }
}
