package dev.tether.session.dropin;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EventListener;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The session listeners the container instantiated for an application: those declared in {@code
 * web.xml} or a {@code web-fragment.xml}, annotated {@code @WebListener}, or added with {@code
 * ServletContext.addListener}.
 *
 * <p>The Servlet API has no call that lists an application's listeners, and a filter cannot ask the
 * container to send its session events elsewhere. Re-creating the declared classes ourselves would
 * give the application a second instance of each listener, with its own state, so instead the
 * container's own instances are read from the container, once they exist (filters are initialised
 * after listeners in both containers): on Tomcat from the {@code StandardContext} behind the {@code
 * ServletContext} facade ({@code getApplicationLifecycleListeners()} and {@code
 * getApplicationEventListeners()}, public methods of Tomcat's {@code Context}); on Jetty 12 from
 * the environment's {@code ServletContextHandler.getEventListeners()} (ee10; ee11 is looked up the
 * same way, untested). Both are found reflectively, so the drop-in has no compile-time dependency
 * on either container. On another container the list is empty and a warning says so.
 */
final class ContainerListeners {

  private static final Pattern JETTY_EE =
      Pattern.compile("(org\\.eclipse\\.jetty\\.ee[0-9]+)\\..*");

  private ContainerListeners() {}

  /** What was found, and which container it was read from ({@code null} when none). */
  record Found(List<EventListener> listeners, String container) {}

  static Found of(ServletContext context) {
    Found tomcat = tomcat(context);
    if (tomcat != null) {
      return tomcat;
    }
    Found jetty = jetty(context);
    return jetty != null ? jetty : new Found(List.of(), null);
  }

  private static Found tomcat(ServletContext context) {
    Object c = context;
    try {
      if (c.getClass().getName().equals("org.apache.catalina.core.ApplicationContextFacade")) {
        c = field(c, "context"); // ApplicationContext
      }
      if (!c.getClass().getName().equals("org.apache.catalina.core.ApplicationContext")) {
        return null;
      }
      Object standard = field(c, "context"); // StandardContext
      Set<Object> all = new LinkedHashSet<>();
      for (String getter :
          List.of("getApplicationLifecycleListeners", "getApplicationEventListeners")) {
        Method m = standard.getClass().getMethod(getter);
        Object[] listeners = (Object[]) m.invoke(standard);
        if (listeners != null) {
          all.addAll(List.of(listeners));
        }
      }
      return new Found(sessionListeners(all), "Tomcat");
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "tether-session: cannot read the session listeners of this Tomcat context ("
              + context.getServerInfo()
              + "): "
              + e,
          e);
    }
  }

  private static Found jetty(ServletContext context) {
    // the ServletContext is an inner class of the environment's ServletContextHandler: ee10, ee11
    Matcher ee = JETTY_EE.matcher(context.getClass().getName());
    if (!ee.matches()) {
      return null;
    }
    Class<?> handler;
    try {
      handler =
          Class.forName(
              ee.group(1) + ".servlet.ServletContextHandler",
              false,
              context.getClass().getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
    try {
      Object h =
          handler.getMethod("getServletContextHandler", ServletContext.class).invoke(null, context);
      if (h == null) {
        return null;
      }
      Collection<?> listeners = (Collection<?>) handler.getMethod("getEventListeners").invoke(h);
      return new Found(sessionListeners(listeners), "Jetty");
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "tether-session: cannot read the session listeners of this Jetty context ("
              + context.getServerInfo()
              + "): "
              + e,
          e);
    }
  }

  private static List<EventListener> sessionListeners(Collection<?> all) {
    List<EventListener> out = new ArrayList<>();
    for (Object l : all) {
      if (l instanceof HttpSessionListener
          || l instanceof HttpSessionAttributeListener
          || l instanceof HttpSessionIdListener) {
        out.add((EventListener) l);
      }
    }
    return List.copyOf(new LinkedHashSet<>(out));
  }

  private static Object field(Object target, String name) throws ReflectiveOperationException {
    for (Class<?> k = target.getClass(); k != null; k = k.getSuperclass()) {
      try {
        Field f = k.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
      } catch (NoSuchFieldException e) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(target.getClass().getName() + "." + name);
  }
}
