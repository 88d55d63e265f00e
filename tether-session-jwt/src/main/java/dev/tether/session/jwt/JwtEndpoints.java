package dev.tether.session.jwt;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Where the issuing app hands out tokens and keys.
 *
 * @param header the response header carrying a new token after a login or a change of its claims
 *     ({@value #DEFAULT_HEADER} by default); the request may echo the token it holds in this header
 *     or in {@code Authorization: Bearer}, so that an unchanged token is not re-issued
 * @param tokenPath {@code GET} answers the session's current token as JSON ({@value
 *     #DEFAULT_TOKEN_PATH} by default), for a single-page app refreshing before {@code exp}
 * @param jwksPath {@code GET} answers the public keys as a JWK set ({@value #DEFAULT_JWKS_PATH})
 * @param jwksMaxAge the {@code Cache-Control: max-age} of the JWK set; a new key is published at
 *     least this long before it signs ({@link #DEFAULT_JWKS_MAX_AGE} by default)
 */
public record JwtEndpoints(String header, String tokenPath, String jwksPath, Duration jwksMaxAge) {

  public static final String DEFAULT_HEADER = "Tether-Session-Token";
  public static final String DEFAULT_TOKEN_PATH = "/session/token";
  public static final String DEFAULT_JWKS_PATH = "/.well-known/jwks.json";
  public static final Duration DEFAULT_JWKS_MAX_AGE = Duration.ofMinutes(5);

  public JwtEndpoints {
    requireNonNull(header, "header");
    if (!header.matches("[A-Za-z0-9-]+")) {
      throw new IllegalArgumentException(
          "header '" + header + "' is not a header name; allowed: letters, digits and -");
    }
    path("tokenPath", tokenPath);
    path("jwksPath", jwksPath);
    if (tokenPath.equals(jwksPath)) {
      throw new IllegalArgumentException("tokenPath and jwksPath are both " + tokenPath);
    }
    requireNonNull(jwksMaxAge, "jwksMaxAge");
    if (jwksMaxAge.isNegative() || jwksMaxAge.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("jwksMaxAge " + jwksMaxAge + "; allowed: 0 to 1 day");
    }
  }

  /** The defaults above. */
  public static JwtEndpoints defaults() {
    return new JwtEndpoints(
        DEFAULT_HEADER, DEFAULT_TOKEN_PATH, DEFAULT_JWKS_PATH, DEFAULT_JWKS_MAX_AGE);
  }

  /** The same with the JWK set at {@code path}. */
  public JwtEndpoints withJwksPath(String path) {
    return new JwtEndpoints(header, tokenPath, path, jwksMaxAge);
  }

  /** The same with the token endpoint at {@code path}. */
  public JwtEndpoints withTokenPath(String path) {
    return new JwtEndpoints(header, path, jwksPath, jwksMaxAge);
  }

  private static void path(String what, String p) {
    requireNonNull(p, what);
    if (!p.startsWith("/") || p.contains("?") || p.contains("#")) {
      throw new IllegalArgumentException(
          what + " '" + p + "' must be a path starting with / (no query, no fragment)");
    }
  }
}
