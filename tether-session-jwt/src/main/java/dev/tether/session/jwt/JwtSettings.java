package dev.tether.session.jwt;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a session JWT says and how long it lives.
 *
 * <pre>{@code
 * JwtSettings s = JwtSettings.of("https://shop.example", List.of("orders-api"))
 *     .withLifetime(Duration.ofMinutes(5))
 *     .withClaims(Map.of("roles", "roles", "tenant", "tid"));   // attribute -> claim
 * }</pre>
 *
 * @param issuer the {@code iss} claim, which verifiers require; usually the issuing app's URL
 * @param audience the {@code aud} claim: the downstream services the token is for (at least one)
 * @param lifetime from {@code iat} to {@code exp}: the longest a revoked session's token keeps
 *     working downstream (10 seconds to 1 hour; {@link #DEFAULT_LIFETIME} by default)
 * @param claims session attribute name to claim name, copied when the attribute is set; a claim
 *     name may not be a registered one the issuer sets itself ({@link #RESERVED})
 */
public record JwtSettings(
    String issuer, List<String> audience, Duration lifetime, Map<String, String> claims) {

  /** Five minutes: a revoked session's tokens stop working downstream within this. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

  static final Duration MIN_LIFETIME = Duration.ofSeconds(10);
  static final Duration MAX_LIFETIME = Duration.ofHours(1);

  /** The claims the issuer sets itself. */
  public static final Set<String> RESERVED =
      Set.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid");

  public JwtSettings {
    requireNonNull(issuer, "issuer");
    if (issuer.isBlank()) {
      throw new IllegalArgumentException("issuer must not be blank; use the issuing app's URL");
    }
    audience = List.copyOf(requireNonNull(audience, "audience"));
    if (audience.isEmpty() || audience.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException(
          "audience must name at least one downstream service, none blank; got " + audience);
    }
    requireNonNull(lifetime, "lifetime");
    if (lifetime.compareTo(MIN_LIFETIME) < 0 || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException(
          "lifetime "
              + lifetime
              + " is out of range; allowed: "
              + MIN_LIFETIME
              + " to "
              + MAX_LIFETIME
              + " (a revoked session's token works downstream until it expires)");
    }
    claims = Map.copyOf(new LinkedHashMap<>(requireNonNull(claims, "claims")));
    for (Map.Entry<String, String> e : claims.entrySet()) {
      if (e.getKey().isBlank() || e.getValue().isBlank()) {
        throw new IllegalArgumentException("claims: attribute and claim names must not be blank");
      }
      if (RESERVED.contains(e.getValue())) {
        throw new IllegalArgumentException(
            "claims: attribute '"
                + e.getKey()
                + "' maps to claim '"
                + e.getValue()
                + "', which the issuer sets itself; allowed: any claim name but "
                + RESERVED);
      }
    }
  }

  /**
   * Tokens for {@code audience} from {@code issuer}, {@link #DEFAULT_LIFETIME}, no extra claims.
   */
  public static JwtSettings of(String issuer, List<String> audience) {
    return new JwtSettings(issuer, audience, DEFAULT_LIFETIME, Map.of());
  }

  /** The same with another lifetime. */
  public JwtSettings withLifetime(Duration l) {
    return new JwtSettings(issuer, audience, l, claims);
  }

  /** The same with these attribute-to-claim mappings. */
  public JwtSettings withClaims(Map<String, String> c) {
    return new JwtSettings(issuer, audience, lifetime, c);
  }
}
