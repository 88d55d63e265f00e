package dev.tether.session.dropin;

import static java.util.Objects.requireNonNull;

import dev.tether.session.SessionManager;
import dev.tether.session.servlet.SessionCookie;
import dev.tether.session.servlet.TetherSessionFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.EventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filter the initializer registers: a {@link TetherSessionFilter} built at {@link #init}, when
 * the container has instantiated the application's listeners, so that its session listeners get
 * the Tether sessions' events ({@link ContainerListeners}).
 */
final class DropinFilter implements Filter {

  private static final Logger log = LoggerFactory.getLogger(DropinFilter.class);

  private final SessionManager manager;
  private final SessionCookie cookie;
  private volatile TetherSessionFilter delegate;

  DropinFilter(SessionManager manager, SessionCookie cookie) {
    this.manager = requireNonNull(manager, "manager");
    this.cookie = requireNonNull(cookie, "cookie");
  }

  @Override
  public void init(FilterConfig config) throws ServletException {
    ContainerListeners.Found found = ContainerListeners.of(config.getServletContext());
    if (found.container() == null) {
      log.warn(
          "tether-session: {} is neither Tomcat nor Jetty 12; the application's session listeners"
              + " get no events from Tether sessions",
          config.getServletContext().getServerInfo());
    }
    TetherSessionFilter.Builder b = TetherSessionFilter.builder(manager).cookie(cookie);
    for (EventListener l : found.listeners()) {
      b.listener(l);
    }
    TetherSessionFilter f = b.build();
    f.init(config);
    delegate = f;
    log.info(
        "tether-session: sessions of {} kept in store {}, cookie {}, {} session listener(s)",
        config.getServletContext().getContextPath().isEmpty() ? "/" : config.getServletContext().getContextPath(),
        manager.store().getClass().getSimpleName(),
        cookie.name(),
        found.listeners().size());
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
