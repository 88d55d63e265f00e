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
import java.util.Set;

/**
 * CSRF protection with the synchronizer token pattern (OWASP CSRF cheat sheet): a state-changing
 * request ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}) must carry the session's token
 * in the {@code X-CSRF-Token} header or the {@code _csrf} form field, else it gets 403. Every
 * request with a session finds the token in the request attribute {@link #TOKEN_ATTRIBUTE} for
 * forms and pages. Install after {@link TetherSessionFilter}.
 */
public final class CsrfFilter implements Filter {

  /** Request attribute holding the session's CSRF token. */
  public static final String TOKEN_ATTRIBUTE = "tether.csrfToken";

  /** Header a script sends the token in. */
  public static final String HEADER = "X-CSRF-Token";

  /** Form field a page sends the token in. */
  public static final String PARAMETER = "_csrf";

  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  private final SessionManager manager;

  /** A filter checking tokens of {@code manager}'s sessions. */
  public CsrfFilter(SessionManager manager) {
    this.manager = requireNonNull(manager, "manager");
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest http)
        || !(res instanceof HttpServletResponse httpRes)) {
      chain.doFilter(req, res);
      return;
    }
    ActiveSession session = TetherSessionFilter.session(http, false);
    if (!SAFE.contains(http.getMethod())) {
      String presented = http.getHeader(HEADER);
      if (presented == null) {
        presented = http.getParameter(PARAMETER);
      }
      if (session == null || !manager.csrf().verify(session, presented)) {
        httpRes.sendError(
            HttpServletResponse.SC_FORBIDDEN,
            "missing or wrong CSRF token: send the session's token in "
                + HEADER
                + " or the "
                + PARAMETER
                + " form field");
        return;
      }
    }
    if (session != null) {
      http.setAttribute(TOKEN_ATTRIBUTE, manager.csrf().token(session));
    }
    chain.doFilter(req, res);
  }
}
