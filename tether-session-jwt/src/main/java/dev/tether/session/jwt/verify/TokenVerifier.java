package dev.tether.session.jwt.verify;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Verifies a session JWT with no call to the session store: the signature against the issuer's
 * published key named by {@code kid}, then the claims. Refused, each with its own reason: a
 * malformed token; an unsecured one ({@code alg: none}) or an encrypted one; an algorithm not in
 * {@link VerifierSettings#algorithms()}; a missing or unknown {@code kid}; a key whose type or
 * {@code alg} does not match the header's; a bad signature; another {@code iss}; an {@code aud}
 * without this service; a missing or passed {@code exp}; an {@code nbf} or {@code iat} in the
 * future; no {@code sub} or {@code sid}; a session the {@link RevocationCheck} names. {@code exp},
 * {@code nbf} and {@code iat} allow {@link VerifierSettings#clockSkew()}.
 *
 * <pre>{@code
 * TokenVerifier v = new TokenVerifier(settings, keys, RevocationCheck.NONE, Clock.systemUTC());
 * VerifiedSession s = v.verify(bearer);    // throws InvalidTokenException
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class TokenVerifier {

  private final VerifierSettings settings;
  private final JwksCache keys;
  private final RevocationCheck revocations;
  private final Clock clock;
  private final DefaultJWSVerifierFactory factory = new DefaultJWSVerifierFactory();

  /**
   * @param settings what is accepted
   * @param keys the issuer's keys
   * @param revocations the optional revocation check ({@link RevocationCheck#NONE})
   * @param clock judges {@code exp}, {@code nbf}, {@code iat}
   */
  public TokenVerifier(
      VerifierSettings settings, JwksCache keys, RevocationCheck revocations, Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.keys = requireNonNull(keys, "keys");
    this.revocations = requireNonNull(revocations, "revocations");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * The session {@code token} speaks for.
   *
   * @throws InvalidTokenException saying why it was refused
   * @throws KeysUnavailableException when the issuer's keys could never be fetched
   */
  public VerifiedSession verify(String token) throws InvalidTokenException {
    requireNonNull(token, "token");
    SignedJWT jwt = signed(token);
    JWSHeader header = jwt.getHeader();
    String alg = header.getAlgorithm().getName();
    if (!settings.algorithms().contains(alg)) {
      throw new InvalidTokenException(
          "algorithm "
              + alg
              + " is not accepted; allowed: "
              + settings.algorithms().stream().sorted().toList());
    }
    String kid = header.getKeyID();
    if (kid == null || kid.isBlank()) {
      throw new InvalidTokenException("the token names no signing key (kid)");
    }
    Optional<JWK> key = keys.key(kid);
    if (key.isEmpty()) {
      throw new InvalidTokenException("unknown signing key " + printable(kid));
    }
    if (!verifies(jwt, key.get())) {
      throw new InvalidTokenException("the signature does not verify");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new InvalidTokenException("the claims are not a JSON object");
    }
    return checkClaims(claims, kid);
  }

  private static SignedJWT signed(String token) throws InvalidTokenException {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token.strip());
    } catch (ParseException e) {
      throw new InvalidTokenException("malformed token");
    }
    if (jwt instanceof PlainJWT) {
      throw new InvalidTokenException("unsecured token (alg none) refused");
    }
    if (!(jwt instanceof SignedJWT s)) {
      throw new InvalidTokenException("encrypted tokens are not accepted; allowed: a signed JWT");
    }
    return s;
  }

  private boolean verifies(SignedJWT jwt, JWK key) throws InvalidTokenException {
    JWSHeader header = jwt.getHeader();
    if (key.getAlgorithm() != null
        && !key.getAlgorithm().getName().equals(header.getAlgorithm().getName())) {
      throw new InvalidTokenException(
          "key "
              + printable(key.getKeyID())
              + " is for "
              + key.getAlgorithm()
              + ", not "
              + header.getAlgorithm());
    }
    if (key.getKeyUse() != null && key.getKeyUse() != KeyUse.SIGNATURE) {
      throw new InvalidTokenException("key " + printable(key.getKeyID()) + " is not a signing key");
    }
    try {
      JWSVerifier verifier;
      if (key instanceof AsymmetricJWK asymmetric) {
        verifier = factory.createJWSVerifier(header, asymmetric.toPublicKey());
      } else {
        throw new InvalidTokenException(
            "key " + printable(key.getKeyID()) + " is not a public key");
      }
      return jwt.verify(verifier);
    } catch (JOSEException | IllegalStateException e) {
      throw new InvalidTokenException(
          "key " + printable(key.getKeyID()) + " does not fit algorithm " + header.getAlgorithm());
    }
  }

  private VerifiedSession checkClaims(JWTClaimsSet c, String kid) throws InvalidTokenException {
    Instant now = clock.instant();
    if (!settings.issuer().equals(c.getIssuer())) {
      throw new InvalidTokenException("issuer " + printable(c.getIssuer()) + " is not accepted");
    }
    if (c.getAudience() == null || !c.getAudience().contains(settings.audience())) {
      throw new InvalidTokenException(
          "the token is not for audience " + printable(settings.audience()));
    }
    Instant exp = instant(c.getExpirationTime());
    if (exp == null) {
      throw new InvalidTokenException("the token has no expiry (exp)");
    }
    if (!now.isBefore(exp.plus(settings.clockSkew()))) {
      throw new InvalidTokenException("the token expired at " + exp);
    }
    Instant nbf = instant(c.getNotBeforeTime());
    if (nbf != null && now.plus(settings.clockSkew()).isBefore(nbf)) {
      throw new InvalidTokenException("the token is not valid before " + nbf);
    }
    Instant iat = instant(c.getIssueTime());
    if (iat != null && now.plus(settings.clockSkew()).isBefore(iat)) {
      throw new InvalidTokenException("the token is issued in the future (" + iat + ")");
    }
    Object sid = c.getClaim("sid");
    if (c.getSubject() == null || !(sid instanceof String handle)) {
      throw new InvalidTokenException("the token names no user (sub) or session (sid)");
    }
    VerifiedSession s =
        new VerifiedSession(
            c.getSubject(), handle, iat == null ? exp : iat, exp, kid, c.getClaims());
    if (revocations.isRevoked(s)) {
      throw new InvalidTokenException("the session was revoked");
    }
    return s;
  }

  private static Instant instant(Date d) {
    return d == null ? null : d.toInstant();
  }

  /** A value for an error description: at most 64 characters, no quotes or controls. */
  static String printable(String v) {
    if (v == null) {
      return "(none)";
    }
    String clean = v.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "?");
    return "'" + (clean.length() > 64 ? clean.substring(0, 64) + "..." : clean) + "'";
  }
}
