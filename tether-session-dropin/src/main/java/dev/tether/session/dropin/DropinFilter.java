package dev.tether.session.dropin;

import static java.util.Objects.requireNonNull;

import dev.tether.session.SessionManager;
import dev.tether.session.servlet.SessionCookie;
import dev.tether.session.servlet.TetherSessionFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.EventListener;

/**
 * The filter the initializer registers: a {@link TetherSessionFilter} built at {@link #init}, when
 * the container has instantiated the application's listeners, so that its session listeners get the
 * Tether sessions' events ({@link ContainerListeners}).
 */
final class DropinFilter implements Filter {

  private final SessionManager manager;
  private final SessionCookie cookie;
  private final String store;
  private volatile TetherSessionFilter delegate;

  /** A filter over {@code manager}; {@code store} describes the store for the log. */
  DropinFilter(SessionManager manager, SessionCookie cookie, String store) {
    this.manager = requireNonNull(manager, "manager");
    this.cookie = requireNonNull(cookie, "cookie");
    this.store = requireNonNull(store, "store");
  }

  @Override
  public void init(FilterConfig config) throws ServletException {
    ServletContext context = config.getServletContext();
    ContainerListeners.Found found = ContainerListeners.of(context);
    if (found.container() == null) {
      context.log(
          "tether-session: WARNING: "
              + context.getServerInfo()
              + " is neither Tomcat nor Jetty 12;"
              + " the application's session listeners get no events from Tether sessions");
    }
    TetherSessionFilter.Builder b = TetherSessionFilter.builder(manager).cookie(cookie);
    for (EventListener l : found.listeners()) {
      b.listener(l);
    }
    TetherSessionFilter f = b.build();
    f.init(config);
    delegate = f;
    // the container's log, which SLF4J may not reach inside a container
    context.log(
        "tether-session: sessions of "
            + (context.getContextPath().isEmpty() ? "/" : context.getContextPath())
            + " kept in "
            + store
            + ", cookie "
            + cookie.name()
            + ", idle timeout "
            + manager.policy().idleTimeout()
            + ", "
            + found.listeners().size()
            + " session listener(s) from "
            + (found.container() == null ? "nowhere" : found.container()));
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    delegate.doFilter(req, res, chain);
  }

  @Override
  public void destroy() {
    TetherSessionFilter f = delegate;
    if (f != null) {
      f.destroy();
    }
  }
}
