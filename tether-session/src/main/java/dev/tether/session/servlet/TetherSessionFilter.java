package dev.tether.session.servlet;

import static java.util.Objects.requireNonNull;

import dev.tether.session.ActiveSession;
import dev.tether.session.SessionManager;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Gives any servlet application (Jetty, Tomcat, …) an {@code HttpSession} backed by a {@link
 * SessionManager}: strict ids from the cookie only, the session's changes written as one delta
 * before the response commits, a hardened cookie ({@link SessionCookie}), {@code Cache-Control:
 * no-store} whenever an id is set, {@code Clear-Site-Data} on invalidation, and a {@code
 * Tether-Session-Expires-In} header in the expiry warning period.
 *
 * <pre>{@code
 * context.addFilter(new FilterHolder(new TetherSessionFilter(manager, SessionCookie.defaults())),
 *     "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p>Other frameworks use {@link SessionManager} and {@link ActiveSession} directly. Async
 * requests: the session is written when the filter chain returns; changes made later by async
 * work are written only if the app calls {@link SessionManager#commit} itself.
 */
public final class TetherSessionFilter implements Filter {

  private static final String REQUEST_ATTRIBUTE = TetherSessionFilter.class.getName();

  private final SessionManager manager;
  private final SessionCookie cookie;

  /** A filter over {@code manager} using {@code cookie}. */
  public TetherSessionFilter(SessionManager manager, SessionCookie cookie) {
    this.manager = requireNonNull(manager, "manager");
    this.cookie = requireNonNull(cookie, "cookie");
  }

  /** The manager behind this filter. */
  public SessionManager manager() {
    return manager;
  }

  /**
   * The Tether session of a request that passed this filter, opened or created as asked; {@code
   * null} when there is none (or the request did not pass the filter).
   */
  public static ActiveSession session(ServletRequest request, boolean create) {
    Object r = request.getAttribute(REQUEST_ATTRIBUTE);
    return r instanceof SessionRequest s ? s.active(create) : null;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest http) || !(res instanceof HttpServletResponse httpRes)) {
      chain.doFilter(req, res);
      return;
    }
    SessionRequest request = new SessionRequest(http, manager, cookie);
    CommitGuardResponse response = new CommitGuardResponse(httpRes, request::commit);
    request.attach(response);
    request.setAttribute(REQUEST_ATTRIBUTE, request);
    try {
      chain.doFilter(request, response);
    } finally {
      request.commit();
    }
  }
}
