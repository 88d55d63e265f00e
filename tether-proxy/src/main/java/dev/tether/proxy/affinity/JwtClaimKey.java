package dev.tether.proxy.affinity;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tether.balance.PickRequest;
import dev.tether.proxy.config.JwtConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The affinity key of mode header with {@code jwt}: a claim (default {@code sub}) of a bearer JWT
 * whose signature verifies with a configured key (Nimbus JOSE). A token that is unsigned ({@code
 * alg: none}), signed with an algorithm not listed, not verifiable with any configured key, expired
 * or not yet valid counts as absent, so the request is balanced as if it had no key (RFC 8725 §3.1,
 * §3.2: no algorithm taken from the token alone).
 *
 * <p>Verified tokens are remembered (bounded, one minute, and never past their {@code exp}) so a
 * client's repeated token costs one lookup instead of a signature check per request.
 */
final class JwtClaimKey implements Function<PickRequest, String> {

  private record Verified(String claim, long expiresAtMillis) {}

  private final String header;
  private final String claim;
  private final Set<JWSAlgorithm> algorithms;
  private final List<JWSVerifier> hmac = new ArrayList<>();
  private final List<JWK> publicKeys = new ArrayList<>();
  private final Clock clock;
  private final Cache<String, Verified> verified =
      Caffeine.newBuilder()
          .maximumSize(10_000)
          .expireAfterWrite(Duration.ofMinutes(1))
          .executor(Runnable::run)
          .build();

  JwtClaimKey(String header, JwtConfig config) {
    this(header, config, Clock.systemUTC());
  }

  JwtClaimKey(String header, JwtConfig config, Clock clock) {
    this.header = requireNonNull(header, "header");
    this.claim = config.claim();
    this.clock = requireNonNull(clock, "clock");
    this.algorithms =
        config.algorithms().stream()
            .map(JWSAlgorithm::parse)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
    try {
      if (config.secret() != null) {
        hmac.add(new MACVerifier(config.secret()));
      }
    } catch (JOSEException e) {
      throw new IllegalArgumentException("JWT secret rejected: " + e.getMessage(), e);
    }
    if (config.jwksFile() != null) {
      try {
        for (JWK k : JWKSet.load(config.jwksFile().toFile()).getKeys()) {
          if (k instanceof RSAKey || k instanceof ECKey) {
            publicKeys.add(k.toPublicJWK());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read JWKS file " + config.jwksFile(), e);
      } catch (ParseException e) {
        throw new IllegalArgumentException(
            "JWKS file " + config.jwksFile() + " is not a JWK set: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String apply(PickRequest request) {
    String value = request.header(header);
    if (value == null) {
      return null;
    }
    String token =
        value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : value.trim();
    long now = clock.millis();
    Verified v = verified.getIfPresent(token);
    if (v != null) {
      return v.expiresAtMillis() > now ? v.claim() : null;
    }
    v = verify(token, now);
    if (v == null) {
      return null;
    }
    verified.put(token, v);
    return v.claim();
  }

  private Verified verify(String token, long now) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token); // an unsecured (alg none) JWT does not parse as signed
      if (!algorithms.contains(jwt.getHeader().getAlgorithm()) || !verifies(jwt)) {
        return null;
      }
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return null;
    }
    Date exp = claims.getExpirationTime();
    Date nbf = claims.getNotBeforeTime();
    if ((exp != null && exp.getTime() <= now) || (nbf != null && nbf.getTime() > now)) {
      return null;
    }
    Object c = claims.getClaim(claim);
    if (c == null) {
      return null;
    }
    return new Verified(String.valueOf(c), exp == null ? Long.MAX_VALUE : exp.getTime());
  }

  private boolean verifies(SignedJWT jwt) {
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    String kid = jwt.getHeader().getKeyID();
    try {
      if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
        for (JWSVerifier v : hmac) {
          if (jwt.verify(v)) {
            return true;
          }
        }
        return false;
      }
      for (JWK k : publicKeys) {
        if (kid != null && k.getKeyID() != null && !kid.equals(k.getKeyID())) {
          continue;
        }
        JWSVerifier v;
        if (k instanceof RSAKey rsa && JWSAlgorithm.Family.RSA.contains(alg)) {
          v = new RSASSAVerifier(rsa);
        } else if (k instanceof ECKey ec && JWSAlgorithm.Family.EC.contains(alg)) {
          v = new ECDSAVerifier(ec);
        } else {
          continue;
        }
        if (jwt.verify(v)) {
          return true;
        }
      }
      return false;
    } catch (JOSEException e) {
      return false; // a key of the wrong size or curve for this token: not verifiable, so absent
    }
  }
}
