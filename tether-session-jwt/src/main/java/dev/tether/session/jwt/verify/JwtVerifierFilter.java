package dev.tether.session.jwt.verify;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authorises a downstream service's requests from a session JWT alone: {@code Authorization: Bearer
 * <token>} is verified by a {@link TokenVerifier} (signature against the issuer's JWK set, issuer,
 * audience, expiry; no session store is asked), and the request goes on with {@link
 * #session(ServletRequest)} set, {@code getUserPrincipal()}/{@code getRemoteUser()} answering the
 * token's {@code sub} and {@code getAuthType()} {@code "Bearer"}.
 *
 * <p>Refusals follow RFC 6750 §3: no token, 401 with {@code WWW-Authenticate: Bearer realm="..."};
 * a refused token, 401 with {@code Bearer realm="...", error="invalid_token",
 * error_description="<why>"}; a header that is not {@code Bearer}, 400 with {@code
 * error="invalid_request"}. When the issuer's keys were never fetched, 503 with {@code
 * Retry-After}: the token may be fine, the service cannot tell.
 *
 * <pre>{@code
 * VerifierSettings s = VerifierSettings.of(jwksUri, "https://shop.example", "orders-api");
 * JwksCache keys = new JwksCache(s.jwksUri(), JwksFetcher.http(Duration.ofSeconds(2)),
 *     s.jwksMaxAge(), s.jwksMinInterval(), Clock.systemUTC());
 * Filter f = new JwtVerifierFilter(new TokenVerifier(s, keys, RevocationCheck.NONE, Clock.systemUTC()), "orders");
 * }</pre>
 */
public final class JwtVerifierFilter implements Filter {

  private static final Logger log = LoggerFactory.getLogger(JwtVerifierFilter.class);
  private static final String ATTRIBUTE = VerifiedSession.class.getName();

  private final TokenVerifier verifier;
  private final String realm;

  /**
   * Verifies with {@code verifier}; {@code realm} names this service in {@code WWW-Authenticate}.
   */
  public JwtVerifierFilter(TokenVerifier verifier, String realm) {
    this.verifier = requireNonNull(verifier, "verifier");
    this.realm = requireNonNull(realm, "realm").replaceAll("[^A-Za-z0-9 ._-]", "_");
  }

  /** The verified session of a request this filter let through, or {@code null}. */
  public static VerifiedSession session(ServletRequest request) {
    return request.getAttribute(ATTRIBUTE) instanceof VerifiedSession s ? s : null;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest http) || !(res instanceof HttpServletResponse out)) {
      chain.doFilter(req, res);
      return;
    }
    String auth = http.getHeader("Authorization");
    if (auth == null || auth.isBlank()) {
      refuse(out, 401, "Bearer realm=\"" + realm + "\"", "a bearer token is required");
      return;
    }
    if (!auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.substring(7).isBlank()) {
      refuse(
          out,
          400,
          challenge("invalid_request", "the Authorization header must be Bearer <token>"),
          "the Authorization header must be Bearer <token>");
      return;
    }
    VerifiedSession session;
    try {
      session = verifier.verify(auth.substring(7).strip());
    } catch (InvalidTokenException e) {
      log.debug("token refused from {}: {}", http.getRemoteAddr(), e.getMessage());
      refuse(out, 401, challenge("invalid_token", e.getMessage()), e.getMessage());
      return;
    } catch (KeysUnavailableException e) {
      log.warn("cannot verify tokens: {}", e.getMessage());
      out.setHeader("Retry-After", "5");
      refuse(out, 503, null, "the issuer's signing keys are not available yet; retry shortly");
      return;
    }
    http.setAttribute(ATTRIBUTE, session);
    chain.doFilter(new Authenticated(http, session), res);
  }

  private String challenge(String error, String description) {
    return "Bearer realm=\""
        + realm
        + "\", error=\""
        + error
        + "\", error_description=\""
        + description.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "?")
        + "\"";
  }

  private static void refuse(HttpServletResponse out, int status, String challenge, String message)
      throws IOException {
    out.setStatus(status);
    if (challenge != null) {
      out.setHeader("WWW-Authenticate", challenge);
    }
    out.setHeader("Cache-Control", "no-store");
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    out.setContentType("text/plain; charset=utf-8");
    out.setContentLength(body.length);
    out.getOutputStream().write(body);
  }

  /** The request as the service sees it: the token's subject is the user. */
  private static final class Authenticated extends HttpServletRequestWrapper {
    private final VerifiedSession session;
    private final Principal principal;

    Authenticated(HttpServletRequest request, VerifiedSession session) {
      super(request);
      this.session = session;
      this.principal = session::subject;
    }

    @Override
    public Principal getUserPrincipal() {
      return principal;
    }

    @Override
    public String getRemoteUser() {
      return session.subject();
    }

    @Override
    public String getAuthType() {
      return "Bearer";
    }
  }
}
