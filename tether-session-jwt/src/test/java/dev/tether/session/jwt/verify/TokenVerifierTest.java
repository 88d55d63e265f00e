package dev.tether.session.jwt.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tether.session.ActiveSession;
import dev.tether.session.SessionManager;
import dev.tether.session.jwt.JwtKeySet;
import dev.tether.session.jwt.JwtSettings;
import dev.tether.session.jwt.SessionTokenIssuer;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.testing.time.SettableClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String ISSUER = "https://shop.example";

  private final SettableClock clock = new SettableClock(T0);
  private final ECKey key = JwtKeySet.generateEs256("k1", T0);
  private final JwtKeySet keys = JwtKeySet.of(List.of(key), Duration.ofMinutes(6));
  private final SessionTokenIssuer issuer =
      new SessionTokenIssuer(
          JwtSettings.of(ISSUER, List.of("orders", "billing")).withClaims(Map.of("roles", "roles")),
          keys,
          clock,
          new SecureRandom());
  private final SessionManager manager =
      SessionManager.builder(new MemorySessionStore(clock)).clock(clock).build();
  private final VerifierSettings settings =
      VerifierSettings.of(
          URI.create("https://shop.example/.well-known/jwks.json"), ISSUER, "orders");
  private final JwksCache cache =
      new JwksCache(
          settings.jwksUri(),
          uri -> keys.published(clock.instant()).toString(true),
          settings.jwksMaxAge(),
          settings.jwksMinInterval(),
          clock);
  private final TokenVerifier verifier =
      new TokenVerifier(settings, cache, RevocationCheck.NONE, clock);

  private String tokenOf(String user) {
    ActiveSession s = manager.create();
    manager.authentication().login(s, user);
    s.setAttribute("roles", List.of("buyer"));
    return issuer.issue(s).orElseThrow().token();
  }

  @Test
  void anIssuedTokenVerifiesToItsClaims() throws Exception {
    VerifiedSession s = verifier.verify(tokenOf("alice"));

    assertThat(s.subject()).isEqualTo("alice");
    assertThat(s.keyId()).isEqualTo("k1");
    assertThat(s.expiresAt()).isEqualTo(T0.plus(JwtSettings.DEFAULT_LIFETIME));
    assertThat(s.claim("roles")).isEqualTo(List.of("buyer"));
    assertThat(s.sessionHandle()).isNotBlank();
  }

  @Test
  void anExpiredTokenIsRefusedAfterTheSkew() throws Exception {
    String token = tokenOf("alice");

    clock.advance(JwtSettings.DEFAULT_LIFETIME.plus(settings.clockSkew()).minusMillis(1));
    assertThat(verifier.verify(token).subject()).isEqualTo("alice");
    clock.advance(Duration.ofMillis(1));
    refused(token, "the token expired at " + T0.plus(JwtSettings.DEFAULT_LIFETIME));
  }

  @Test
  void aTamperedPayloadOrAForeignKeyFailsTheSignature() throws Exception {
    String token = tokenOf("alice");
    String[] parts = token.split("\\.");
    String forged =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("\"alice\"", "\"admin\"");
    refused(parts[0] + "." + b64(forged) + "." + parts[2], "the signature does not verify");

    ECKey impostor = JwtKeySet.generateEs256("k1", T0);
    refused(sign(impostor, claims().build()), "the signature does not verify");
  }

  @Test
  void wrongIssuerOrAudienceIsRefused() throws Exception {
    refused(
        sign(key, claims().issuer("https://evil.example").build()),
        "issuer 'https://evil.example' is not accepted");
    refused(
        sign(key, claims().audience("billing").build()), "the token is not for audience 'orders'");
  }

  @Test
  void unsecuredAndHmacTokensAreRefused() throws Exception {
    refused(new PlainJWT(claims().build()).serialize(), "unsecured token (alg none) refused");
    // alg:none with a signature part left empty, the classic downgrade
    String header = b64("{\"alg\":\"none\",\"kid\":\"k1\"}");
    refused(
        header + "." + b64(claims().build().toString()) + ".",
        "unsecured token (alg none) refused");

    SignedJWT hs =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
    hs.sign(new MACSigner(key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
    refused(hs.serialize(), "algorithm HS256 is not accepted; allowed: [ES256]");
  }

  @Test
  void missingKidUnknownKidAndMissingExpiryAreRefused() throws Exception {
    SignedJWT noKid = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), claims().build());
    noKid.sign(new ECDSASigner(key));
    refused(noKid.serialize(), "the token names no signing key (kid)");

    ECKey other = JwtKeySet.generateEs256("k9", T0);
    refused(sign(other, claims().build()), "unknown signing key 'k9'");
    refused(sign(key, claims().expirationTime(null).build()), "the token has no expiry (exp)");
    refused("not.a.token", "malformed token");
  }

  @Test
  void aTokenFromTheFutureIsRefused() throws Exception {
    Date later = Date.from(T0.plus(Duration.ofMinutes(2)));
    refused(sign(key, claims().issueTime(later).build()), "the token is issued in the future");
    refused(sign(key, claims().notBeforeTime(later).build()), "the token is not valid before");
  }

  @Test
  void aRevocationCheckRefusesARevokedSession() throws Exception {
    String token = tokenOf("alice");
    String handle = verifier.verify(token).sessionHandle();
    TokenVerifier checking =
        new TokenVerifier(settings, cache, s -> Set.of(handle).contains(s.sessionHandle()), clock);

    assertThatThrownBy(() -> checking.verify(token))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessage("the session was revoked");
    assertThat(checking.verify(tokenOf("bob")).subject()).isEqualTo("bob");
  }

  @Test
  void settingsRefuseNoneAndHmac() {
    assertThatThrownBy(() -> settings.withAlgorithms(Set.of("none")))
        .hasMessageContaining("allowed: a non-empty subset of");
    assertThatThrownBy(() -> settings.withAlgorithms(Set.of("HS256")))
        .hasMessageContaining("allowed: a non-empty subset of");
  }

  private JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience("orders")
        .subject("alice")
        .claim("sid", "handle")
        .issueTime(Date.from(T0))
        .expirationTime(Date.from(T0.plus(Duration.ofMinutes(5))));
  }

  private static String sign(ECKey k, JWTClaimsSet c) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(JOSEObjectType.JWT)
                .keyID(k.getKeyID())
                .build(),
            c);
    jwt.sign(new ECDSASigner(k));
    return jwt.serialize();
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private void refused(String token, String reason) {
    assertThatThrownBy(() -> verifier.verify(token))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageStartingWith(reason);
  }
}
