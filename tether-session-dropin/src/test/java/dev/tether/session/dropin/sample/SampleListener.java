package dev.tether.session.dropin.sample;

import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Declared in the sample's {@code web.xml}; records the session events it gets. */
public class SampleListener implements HttpSessionListener, HttpSessionIdListener {

  /** {@code created <id>}, {@code destroyed <id>}, {@code changed <old> <new>}, in order. */
  static final List<String> EVENTS = new CopyOnWriteArrayList<>();

  @Override
  public void sessionCreated(HttpSessionEvent se) {
    EVENTS.add("created " + se.getSession().getId());
  }

  @Override
  public void sessionDestroyed(HttpSessionEvent se) {
    EVENTS.add("destroyed " + se.getSession().getId());
  }

  @Override
  public void sessionIdChanged(HttpSessionEvent se, String oldSessionId) {
    EVENTS.add("changed " + oldSessionId + " " + se.getSession().getId());
  }
}
