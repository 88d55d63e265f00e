package dev.tether.session.jwt.verify;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * What a downstream service accepts.
 *
 * <pre>{@code
 * VerifierSettings s = VerifierSettings.of(
 *     URI.create("https://shop.example/.well-known/jwks.json"), "https://shop.example", "orders-api");
 * }</pre>
 *
 * @param jwksUri where the issuer publishes its JWK set
 * @param issuer the only {@code iss} accepted
 * @param audience this service's name, which {@code aud} must contain
 * @param algorithms the JWS algorithms accepted ({@code ES256} by default; {@code none} and the
 *     HMAC ones are refused, a public key is no shared secret)
 * @param clockSkew leeway on {@code exp}, {@code nbf} and {@code iat} (30 s by default, at most 5
 *     min)
 * @param jwksMaxAge how long a fetched JWK set is used before it is fetched again (5 min)
 * @param jwksMinInterval the least time between two fetches, also when a token names an unknown
 *     {@code kid} (30 s): a flood of made-up key ids costs at most one fetch per interval
 */
public record VerifierSettings(
    URI jwksUri,
    String issuer,
    String audience,
    Set<String> algorithms,
    Duration clockSkew,
    Duration jwksMaxAge,
    Duration jwksMinInterval) {

  static final Set<String> ALLOWED =
      Set.of("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512");

  public VerifierSettings {
    requireNonNull(jwksUri, "jwksUri");
    if (!"https".equals(jwksUri.getScheme()) && !"http".equals(jwksUri.getScheme())) {
      throw new IllegalArgumentException("jwksUri " + jwksUri + " must be an http or https URL");
    }
    requireNonNull(issuer, "issuer");
    requireNonNull(audience, "audience");
    if (issuer.isBlank() || audience.isBlank()) {
      throw new IllegalArgumentException("issuer and audience must not be blank");
    }
    algorithms = Set.copyOf(requireNonNull(algorithms, "algorithms"));
    if (algorithms.isEmpty() || !ALLOWED.containsAll(algorithms)) {
      throw new IllegalArgumentException(
          "algorithms " + algorithms + "; allowed: a non-empty subset of " + ALLOWED);
    }
    requireNonNull(clockSkew, "clockSkew");
    if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("clockSkew " + clockSkew + "; allowed: 0 to 5 minutes");
    }
    requireNonNull(jwksMaxAge, "jwksMaxAge");
    requireNonNull(jwksMinInterval, "jwksMinInterval");
    if (jwksMinInterval.isNegative() || jwksMaxAge.compareTo(jwksMinInterval) < 0) {
      throw new IllegalArgumentException(
          "jwksMaxAge "
              + jwksMaxAge
              + " and jwksMinInterval "
              + jwksMinInterval
              + "; allowed: 0 <= jwksMinInterval <= jwksMaxAge");
    }
  }

  /** ES256 only, 30 s skew, the JWK set kept 5 minutes and fetched at most every 30 s. */
  public static VerifierSettings of(URI jwksUri, String issuer, String audience) {
    return new VerifierSettings(
        jwksUri,
        issuer,
        audience,
        Set.of("ES256"),
        Duration.ofSeconds(30),
        Duration.ofMinutes(5),
        Duration.ofSeconds(30));
  }

  /** The same accepting {@code algs}. */
  public VerifierSettings withAlgorithms(Set<String> algs) {
    return new VerifierSettings(
        jwksUri, issuer, audience, algs, clockSkew, jwksMaxAge, jwksMinInterval);
  }

  /** The same with these JWK set cache times. */
  public VerifierSettings withJwksTimes(Duration maxAge, Duration minInterval) {
    return new VerifierSettings(
        jwksUri, issuer, audience, algorithms, clockSkew, maxAge, minInterval);
  }
}
