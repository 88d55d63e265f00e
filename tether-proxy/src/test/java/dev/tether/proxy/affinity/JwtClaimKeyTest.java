package dev.tether.proxy.affinity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tether.balance.PickRequest;
import dev.tether.proxy.config.JwtConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtClaimKeyTest {

  private static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path dir;

  private static PickRequest bearer(String token) {
    return new PickRequest() {
      @Override
      public String header(String name) {
        return name.equalsIgnoreCase("Authorization") ? "Bearer " + token : null;
      }
    };
  }

  private static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims)
      throws Exception {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static JWTClaimsSet claims(String sub, Instant exp) {
    return new JWTClaimsSet.Builder()
        .subject(sub)
        .claim("tenant", "acme")
        .expirationTime(Date.from(exp))
        .build();
  }

  @Test
  void rs256AndEs256FromAJwksFile() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
    JwtClaimKey key =
        new JwtClaimKey(
            "Authorization", new JwtConfig("sub", List.of("RS256", "ES256"), null, jwks), clock);
    Instant later = NOW.plusSeconds(600);
    assertThat(
            key.apply(
                bearer(
                    sign(
                        new RSASSASigner(rsa),
                        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("r1").build(),
                        claims("alice", later)))))
        .isEqualTo("alice");
    assertThat(
            key.apply(
                bearer(
                    sign(
                        new ECDSASigner(ec),
                        new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("e1").build(),
                        claims("bob", later)))))
        .isEqualTo("bob");
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("r1").generate();
    assertThat(
            key.apply(
                bearer(
                    sign(
                        new RSASSASigner(stranger),
                        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("r1").build(),
                        claims("mallory", later)))))
        .as("signed by a key not in the set")
        .isNull();
  }

  @Test
  void unsignedUnlistedExpiredAndForeignTokensAreAbsent() throws Exception {
    JwtClaimKey key =
        new JwtClaimKey(
            "Authorization", new JwtConfig("tenant", List.of("HS256"), SECRET, null), clock);
    Instant later = NOW.plusSeconds(600);
    assertThat(
            key.apply(
                bearer(
                    sign(
                        new MACSigner(SECRET),
                        new JWSHeader(JWSAlgorithm.HS256),
                        claims("a", later)))))
        .as("the configured claim")
        .isEqualTo("acme");
    assertThat(key.apply(bearer(new PlainJWT(claims("a", later)).serialize())))
        .as("alg none")
        .isNull();
    byte[] longSecret =
        (new String(SECRET, StandardCharsets.UTF_8) + new String(SECRET, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
    assertThat(
            key.apply(
                bearer(
                    sign(
                        new MACSigner(longSecret),
                        new JWSHeader(JWSAlgorithm.HS384),
                        claims("a", later)))))
        .as("an algorithm not listed")
        .isNull();
    assertThat(
            key.apply(
                bearer(
                    sign(
                        new MACSigner(SECRET),
                        new JWSHeader(JWSAlgorithm.HS256),
                        claims("a", NOW.minusSeconds(1))))))
        .as("expired")
        .isNull();
    byte[] other = "ffffffffffffffffffffffffffffffff".getBytes(StandardCharsets.UTF_8);
    assertThat(
            key.apply(
                bearer(
                    sign(
                        new MACSigner(other),
                        new JWSHeader(JWSAlgorithm.HS256),
                        claims("a", later)))))
        .as("another secret")
        .isNull();
    assertThat(key.apply(bearer("a.b.c"))).isNull();
    assertThat(key.apply(new PickRequest() {})).isNull();
  }

  @Test
  void aRememberedTokenStillExpires() throws Exception {
    Instant[] now = {NOW};
    Clock moving =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    JwtClaimKey key =
        new JwtClaimKey(
            "Authorization", new JwtConfig("sub", List.of("HS256"), SECRET, null), moving);
    String token =
        sign(
            new MACSigner(SECRET),
            new JWSHeader(JWSAlgorithm.HS256),
            claims("alice", NOW.plusSeconds(30)));
    assertThat(key.apply(bearer(token))).isEqualTo("alice");
    now[0] = NOW.plusSeconds(31);
    assertThat(key.apply(bearer(token))).isNull();
  }
}
