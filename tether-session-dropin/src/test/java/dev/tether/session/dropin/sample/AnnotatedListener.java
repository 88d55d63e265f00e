package dev.tether.session.dropin.sample;

import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;

/** Declared by annotation only; records into {@link SampleListener#EVENTS} with a prefix. */
@WebListener
public class AnnotatedListener implements HttpSessionListener {

  @Override
  public void sessionCreated(HttpSessionEvent se) {
    SampleListener.EVENTS.add("annotated created " + se.getSession().getId());
  }

  @Override
  public void sessionDestroyed(HttpSessionEvent se) {
    SampleListener.EVENTS.add("annotated destroyed " + se.getSession().getId());
  }
}
