package dev.tether.session.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tether.session.ActiveSession;
import dev.tether.session.jwt.SessionTokenIssuer.IssuedToken;
import dev.tether.session.servlet.SessionCommitListener;
import dev.tether.session.servlet.TetherSessionFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The issuing app's side of session JWTs, in two roles.
 *
 * <ul>
 *   <li>As a {@link SessionCommitListener} of the {@link TetherSessionFilter}: after each save of a
 *       session with a principal, when the request does not already hold an accurate token, the
 *       response carries a new one in {@link JwtEndpoints#header()}. So a login, a logout-and-login
 *       as someone else, an id rotation or a change of a claim's attribute each send a fresh token,
 *       and a request that echoes its token (same header, or {@code Authorization: Bearer}) with
 *       more than half its lifetime left gets none, costing no signature.
 *   <li>As a servlet filter placed after the {@code TetherSessionFilter}: {@code GET} {@link
 *       JwtEndpoints#jwksPath()} answers the JWK set ({@code application/jwk-set+json}, cacheable
 *       for {@link JwtEndpoints#jwksMaxAge()}); {@code GET} {@link JwtEndpoints#tokenPath()}
 *       answers {@code {"token": "...", "token_type": "Bearer", "expires_at": <epoch s>,
 *       "expires_in": <s>}} for the request's session, or 401 {@code {"error": "no_session"}} when
 *       it has none or no principal (logged out: no new token for a revoked session). Both are
 *       {@code Cache-Control: no-store} but the JWK set.
 * </ul>
 *
 * <pre>{@code
 * SessionJwtFilter jwt = new SessionJwtFilter(issuer, JwtEndpoints.defaults());
 * TetherSessionFilter sessions = TetherSessionFilter.builder(manager).listener(jwt).build();
 * context.addFilter(new FilterHolder(sessions), "/*", EnumSet.of(DispatcherType.REQUEST));
 * context.addFilter(new FilterHolder(jwt), "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p>A single-page app keeps the token in memory (not in {@code localStorage}), sends it to the
 * downstream APIs as {@code Authorization: Bearer}, and calls the token path shortly before {@code
 * expires_at}. Thread-safe.
 */
public final class SessionJwtFilter implements Filter, SessionCommitListener {

  private static final String ISSUED = SessionJwtFilter.class.getName() + ".issued";
  private static final String JWK_SET_TYPE = "application/jwk-set+json";

  private final SessionTokenIssuer issuer;
  private final JwtEndpoints endpoints;

  /** Issues with {@code issuer}, at {@code endpoints}. */
  public SessionJwtFilter(SessionTokenIssuer issuer, JwtEndpoints endpoints) {
    this.issuer = requireNonNull(issuer, "issuer");
    this.endpoints = requireNonNull(endpoints, "endpoints");
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest http) || !(res instanceof HttpServletResponse out)) {
      chain.doFilter(req, res);
      return;
    }
    String path = http.getRequestURI().substring(http.getContextPath().length());
    if (path.equals(endpoints.jwksPath())) {
      if (allowGet(http, out)) {
        jwks(out);
      }
    } else if (path.equals(endpoints.tokenPath())) {
      if (allowGet(http, out)) {
        token(http, out);
      }
    } else {
      chain.doFilter(req, res);
    }
  }

  @Override
  public void sessionCommitted(
      ActiveSession session, HttpServletRequest request, HttpServletResponse response) {
    Optional<String> now = issuer.fingerprint(session);
    if (now.isEmpty() || now.equals(presented(request))) {
      return;
    }
    current(request, session, now.get())
        .ifPresent(
            t -> {
              response.setHeader(endpoints.header(), t.token());
              response.setHeader("Cache-Control", "no-store");
            });
  }

  private void jwks(HttpServletResponse out) throws IOException {
    String body = issuer.keys().published(issuer.clock().instant()).toString(true);
    out.setStatus(200);
    out.setHeader("Cache-Control", "public, max-age=" + endpoints.jwksMaxAge().toSeconds());
    write(out, JWK_SET_TYPE, body);
  }

  private void token(HttpServletRequest http, HttpServletResponse out) throws IOException {
    ActiveSession session = TetherSessionFilter.session(http, false);
    Optional<String> fp = session == null ? Optional.empty() : issuer.fingerprint(session);
    Optional<IssuedToken> t = fp.flatMap(f -> current(http, session, f));
    out.setHeader("Cache-Control", "no-store");
    if (t.isEmpty()) {
      out.setStatus(401);
      write(
          out,
          "application/json",
          "{\"error\":\"no_session\",\"error_description\":\"no logged-in session: log in first\"}");
      return;
    }
    Instant now = issuer.clock().instant();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token", t.get().token());
    body.put("token_type", "Bearer");
    body.put("expires_at", t.get().expiresAt().getEpochSecond());
    body.put("expires_in", Math.max(0, Duration.between(now, t.get().expiresAt()).toSeconds()));
    out.setStatus(200);
    write(out, "application/json", JSONObjectUtils.toJSONString(body));
  }

  /** The token this request already issued for the session as it is now, else a new one. */
  private Optional<IssuedToken> current(
      HttpServletRequest request, ActiveSession s, String fingerprint) {
    if (request.getAttribute(ISSUED) instanceof IssuedToken t
        && t.fingerprint().equals(fingerprint)) {
      return Optional.of(t);
    }
    Optional<IssuedToken> fresh = issuer.issue(s);
    fresh.ifPresent(t -> request.setAttribute(ISSUED, t));
    return fresh;
  }

  /**
   * The fingerprint of the token the request holds, if it is one of ours with more than half its
   * lifetime left. Read unverified: a forged one could only spare its sender a fresh token.
   */
  private Optional<String> presented(HttpServletRequest request) {
    String token = request.getHeader(endpoints.header());
    if (token == null) {
      String auth = request.getHeader("Authorization");
      if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Optional.empty();
      }
      token = auth.substring(7).strip();
    }
    try {
      JWTClaimsSet claims = SignedJWT.parse(token.strip()).getJWTClaimsSet();
      Instant renewBefore =
          issuer.clock().instant().plus(issuer.settings().lifetime().dividedBy(2));
      return issuer.fingerprint(claims, renewBefore);
    } catch (ParseException | RuntimeException e) {
      return Optional.empty(); // not a token of ours: issue one
    }
  }

  private static boolean allowGet(HttpServletRequest http, HttpServletResponse out)
      throws IOException {
    if (http.getMethod().equals("GET") || http.getMethod().equals("HEAD")) {
      return true;
    }
    out.setStatus(405);
    out.setHeader("Allow", "GET, HEAD");
    write(
        out,
        "text/plain",
        "method " + http.getMethod() + " is not allowed here; allowed: GET, HEAD\n");
    return false;
  }

  private static void write(HttpServletResponse out, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.setContentType(type + (type.startsWith("text/") ? "; charset=utf-8" : ""));
    out.setContentLength(bytes.length);
    out.getOutputStream().write(bytes);
  }
}
