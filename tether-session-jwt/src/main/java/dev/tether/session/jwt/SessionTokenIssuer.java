package dev.tether.session.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.factories.DefaultJWSSignerFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tether.session.ActiveSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs the JWT of a session: {@code iss}, {@code aud}, {@code sub} (the principal), {@code sid}
 * (the session's handle, see {@link #sessionHandle}), {@code iat}, {@code exp} ({@code iat} plus
 * {@link JwtSettings#lifetime()}), a random {@code jti}, and the configured attribute claims; the
 * header has {@code typ: JWT}, {@code alg} and the signing key's {@code kid}.
 *
 * <p>Only sessions with a principal get a token: a downstream service authorises a user, and an
 * anonymous session has none. The session id itself never leaves the issuing app (it is the
 * credential behind the cookie): {@code sid} is a one-way digest of it that still lets a downstream
 * service tell sessions apart or check a revocation list.
 *
 * <p>Thread-safe; keys can be replaced at run time ({@link #keys(JwtKeySet)}).
 */
public final class SessionTokenIssuer {

  private final JwtSettings settings;
  private final Clock clock;
  private final SecureRandom random;
  private volatile JwtKeySet keys;
  private final Map<JWK, JWSSigner> signers = new ConcurrentHashMap<>();

  /**
   * @param settings what the token says
   * @param keys the signing keys and their schedule
   * @param clock judges {@code iat}/{@code exp} and which key signs
   * @param random source of {@code jti}
   * @throws IllegalStateException when no key of {@code keys} signs at the clock's time
   */
  public SessionTokenIssuer(
      JwtSettings settings, JwtKeySet keys, Clock clock, SecureRandom random) {
    this.settings = requireNonNull(settings, "settings");
    this.keys = requireNonNull(keys, "keys");
    this.clock = requireNonNull(clock, "clock");
    this.random = requireNonNull(random, "random");
    keys.signing(clock.instant()); // fail at start, not at the first login, when no key signs yet
  }

  /** What the tokens say. */
  public JwtSettings settings() {
    return settings;
  }

  /** The key set in force. */
  public JwtKeySet keys() {
    return keys;
  }

  /** Replaces the key set (a rotation read from configuration); tokens signed before stay valid. */
  public void keys(JwtKeySet next) {
    this.keys = requireNonNull(next, "keys");
  }

  /** The clock tokens are dated by. */
  public Clock clock() {
    return clock;
  }

  /** A signed token for {@code session}, or empty when it has no principal or is invalidated. */
  public Optional<IssuedToken> issue(ActiveSession session) {
    requireNonNull(session, "session");
    if (!session.isValid() || session.principal() == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    Instant exp = now.plus(settings.lifetime());
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(settings.issuer())
            .audience(settings.audience())
            .subject(session.principal())
            .claim("sid", sessionHandle(session.id()))
            .issueTime(Date.from(now))
            .expirationTime(Date.from(exp))
            .jwtID(jti());
    customClaims(session).forEach(claims::claim);
    JwtKeySet.SigningKey key = keys.signing(now);
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(key.algorithm())
                .type(JOSEObjectType.JWT)
                .keyID(key.jwk().getKeyID())
                .build(),
            claims.build());
    try {
      jwt.sign(signer(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(
          "signing a session JWT with key '" + key.jwk().getKeyID() + "' failed", e);
    }
    return Optional.of(new IssuedToken(jwt.serialize(), exp, fingerprint(session).orElseThrow()));
  }

  /**
   * What a token of {@code session} would say apart from its times and {@code jti}: equal
   * fingerprints mean an existing token is still accurate. Empty without a principal.
   */
  public Optional<String> fingerprint(ActiveSession session) {
    if (!session.isValid() || session.principal() == null) {
      return Optional.empty();
    }
    Map<String, Object> said = new TreeMap<>(customClaims(session));
    said.put("sid", sessionHandle(session.id()));
    said.put("sub", session.principal());
    return Optional.of(fingerprint(said));
  }

  /**
   * The fingerprint of a token this issuer signed, from its claims (read, not verified: it only
   * decides whether a fresh token is needed), or empty when it is not one of this issuer's or
   * expires within {@code renewBefore}.
   */
  Optional<String> fingerprint(JWTClaimsSet presented, Instant renewBefore) {
    if (!settings.issuer().equals(presented.getIssuer())
        || presented.getExpirationTime() == null
        || !presented.getExpirationTime().toInstant().isAfter(renewBefore)) {
      return Optional.empty();
    }
    Map<String, Object> said = new TreeMap<>();
    for (String claim : settings.claims().values()) {
      Object v = presented.getClaim(claim);
      if (v != null) {
        said.put(claim, v);
      }
    }
    said.put("sid", presented.getClaim("sid"));
    said.put("sub", presented.getSubject());
    return Optional.of(fingerprint(said));
  }

  private static String fingerprint(Map<String, Object> said) {
    return digest(JSONObjectUtils.toJSONString(said)).substring(0, 22);
  }

  /** The attribute claims of {@code session}: set attributes only, in claim-name order. */
  Map<String, Object> customClaims(ActiveSession session) {
    Map<String, Object> out = new LinkedHashMap<>();
    settings.claims().entrySet().stream()
        .sorted(Map.Entry.comparingByValue())
        .forEach(
            e -> {
              Object v = session.attribute(e.getKey());
              if (v != null) {
                out.put(e.getValue(), jsonValue(v));
              }
            });
    return out;
  }

  /** JSON-able as is (strings, numbers, booleans, lists, maps), anything else as its string. */
  private static Object jsonValue(Object v) {
    if (v instanceof String
        || v instanceof Number
        || v instanceof Boolean
        || v instanceof Map<?, ?>) {
      return v;
    }
    if (v instanceof Collection<?> c) {
      return List.copyOf(c.stream().map(SessionTokenIssuer::jsonValue).toList());
    }
    return v.toString();
  }

  /**
   * The {@code sid} of session {@code id}: base64url of SHA-256 over it. One-way, so a token seen
   * downstream cannot be turned into the session cookie; the same on every issuing instance.
   */
  public static String sessionHandle(String id) {
    return digest("tether-session-jwt sid\n" + requireNonNull(id, "id"));
  }

  private JWSSigner signer(JwtKeySet.SigningKey key) {
    return signers.computeIfAbsent(
        key.jwk(),
        k -> {
          try {
            return new DefaultJWSSignerFactory().createJWSSigner(key.jwk(), key.algorithm());
          } catch (JOSEException e) {
            throw new IllegalStateException(
                "JWT key '" + key.jwk().getKeyID() + "' cannot sign " + key.algorithm(), e);
          }
        });
  }

  private String jti() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String digest(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * A signed token.
   *
   * @param token the compact serialisation ({@code header.claims.signature})
   * @param expiresAt its {@code exp}
   * @param fingerprint {@link #fingerprint} of the session it was issued for
   */
  public record IssuedToken(String token, Instant expiresAt, String fingerprint) {
    public IssuedToken {
      requireNonNull(token, "token");
      requireNonNull(expiresAt, "expiresAt");
      requireNonNull(fingerprint, "fingerprint");
    }
  }
}
