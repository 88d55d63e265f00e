package dev.tether.session.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tether.session.ActiveSession;
import dev.tether.session.SessionManager;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.testing.time.SettableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionTokenIssuerTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final SettableClock clock = new SettableClock(T0);
  private final ECKey key = JwtKeySet.generateEs256("k1", T0);
  private final SessionManager manager =
      SessionManager.builder(new MemorySessionStore(clock)).clock(clock).build();
  private final SessionTokenIssuer issuer =
      new SessionTokenIssuer(
          JwtSettings.of("https://shop.example", List.of("orders"))
              .withClaims(Map.of("roles", "roles", "tenant", "tid")),
          JwtKeySet.of(List.of(key), Duration.ofMinutes(6)),
          clock,
          new SecureRandom());

  @Test
  void aLoggedInSessionGetsAShortLivedEs256TokenWithItsPrincipalAndClaims() throws Exception {
    ActiveSession s = manager.create();
    manager.authentication().login(s, "alice");
    s.setAttribute("roles", List.of("buyer", "admin"));
    s.setAttribute("tenant", "acme");
    s.setAttribute("cart", List.of(1, 2)); // not mapped: stays out of the token

    SignedJWT jwt = SignedJWT.parse(issuer.issue(s).orElseThrow().token());

    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.getHeader().getKeyID()).isEqualTo("k1");
    assertThat(jwt.verify(new ECDSAVerifier(key.toPublicJWK()))).isTrue();
    JWTClaimsSet c = jwt.getJWTClaimsSet();
    assertThat(c.getIssuer()).isEqualTo("https://shop.example");
    assertThat(c.getAudience()).containsExactly("orders");
    assertThat(c.getSubject()).isEqualTo("alice");
    assertThat(c.getIssueTime().toInstant()).isEqualTo(T0);
    assertThat(c.getExpirationTime().toInstant()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    assertThat(c.getStringListClaim("roles")).containsExactly("buyer", "admin");
    assertThat(c.getStringClaim("tid")).isEqualTo("acme");
    assertThat(c.getClaims()).doesNotContainKey("cart");
    assertThat(c.getStringClaim("sid"))
        .isEqualTo(SessionTokenIssuer.sessionHandle(s.id()))
        .isNotEqualTo(s.id())
        .doesNotContain(s.id());
  }

  @Test
  void anAnonymousOrInvalidatedSessionGetsNoToken() {
    ActiveSession anonymous = manager.create();
    assertThat(issuer.issue(anonymous)).isEmpty();

    ActiveSession s = manager.create();
    manager.authentication().login(s, "bob");
    manager.invalidate(s);
    assertThat(issuer.issue(s)).isEmpty();
  }

  @Test
  void theFingerprintChangesWithTheClaimsAndTheIdButNotWithTime() throws Exception {
    ActiveSession s = manager.create();
    manager.authentication().login(s, "alice");
    String first = issuer.fingerprint(s).orElseThrow();

    clock.advance(Duration.ofMinutes(1));
    assertThat(issuer.fingerprint(s)).contains(first);
    s.setAttribute("cart", List.of(3));
    assertThat(issuer.fingerprint(s)).contains(first);

    s.setAttribute("roles", List.of("admin"));
    String withRole = issuer.fingerprint(s).orElseThrow();
    assertThat(withRole).isNotEqualTo(first);
    manager.rotateId(s);
    assertThat(issuer.fingerprint(s).orElseThrow()).isNotEqualTo(withRole);
  }

  @Test
  void aPresentedTokenMatchesUntilHalfItsLifetimeIsLeft() throws Exception {
    ActiveSession s = manager.create();
    manager.authentication().login(s, "alice");
    s.setAttribute("roles", List.of("admin"));
    SessionTokenIssuer.IssuedToken t = issuer.issue(s).orElseThrow();
    JWTClaimsSet claims = SignedJWT.parse(t.token()).getJWTClaimsSet();

    assertThat(issuer.fingerprint(claims, T0.plus(Duration.ofMinutes(2))))
        .contains(t.fingerprint());
    assertThat(issuer.fingerprint(claims, T0.plus(Duration.ofMinutes(5)))).isEmpty();
  }

  @Test
  void keysRotateAtTheirNotBeforeTime() throws Exception {
    ECKey next = JwtKeySet.generateEs256("k2", T0.plus(Duration.ofHours(1)));
    issuer.keys(issuer.keys().with(next));
    ActiveSession s = manager.create();
    manager.authentication().login(s, "alice");

    assertThat(SignedJWT.parse(issuer.issue(s).orElseThrow().token()).getHeader().getKeyID())
        .isEqualTo("k1");
    clock.advance(Duration.ofHours(1));
    SignedJWT later = SignedJWT.parse(issuer.issue(s).orElseThrow().token());
    assertThat(later.getHeader().getKeyID()).isEqualTo("k2");
    assertThat(later.verify(new ECDSAVerifier(next.toPublicJWK()))).isTrue();
  }
}
