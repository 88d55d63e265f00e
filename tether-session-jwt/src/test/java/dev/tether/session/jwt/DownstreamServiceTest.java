package dev.tether.session.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.tether.testing.time.SettableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shop (Jetty, Tether sessions) issues session JWTs; the orders service (a second Jetty app, no
 * session store) authorises from the claims alone. Real sockets on port 0, one settable clock.
 */
class DownstreamServiceTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String HEADER = JwtEndpoints.DEFAULT_HEADER;

  private final SettableClock clock = new SettableClock(T0);
  private final HttpClient http = HttpClient.newHttpClient();
  private JwtServices apps;

  @AfterEach
  void stop() throws Exception {
    if (apps != null) {
      apps.close();
    }
    http.close();
  }

  @Test
  void theDownstreamServiceAuthorisesFromTheClaimsAlone() throws Exception {
    apps = new JwtServices(clock, List.of(JwtKeySet.generateEs256("k1", T0)));

    HttpResponse<String> login =
        post(apps.shop.resolve("/login?user=alice&roles=buyer,admin"), null);
    String token = login.headers().firstValue(HEADER).orElseThrow();
    assertThat(login.headers().firstValue("Cache-Control")).contains("no-store");

    HttpResponse<String> admin = get(apps.orders.resolve("/admin"), token);
    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(admin.body()).isEqualTo("alice [buyer, admin] k1\n");

    String bob =
        post(apps.shop.resolve("/login?user=bob&roles=buyer"), null)
            .headers()
            .firstValue(HEADER)
            .orElseThrow();
    assertThat(get(apps.orders.resolve("/me"), bob).body()).isEqualTo("bob [buyer] k1\n");
    assertThat(get(apps.orders.resolve("/admin"), bob).statusCode()).isEqualTo(403);
  }

  @Test
  void missingTamperedUnsecuredAndForeignTokensGet401WithTheReason() throws Exception {
    apps = new JwtServices(clock, List.of(JwtKeySet.generateEs256("k1", T0)));
    String token =
        post(apps.shop.resolve("/login?user=bob&roles=buyer"), null)
            .headers()
            .firstValue(HEADER)
            .orElseThrow();

    HttpResponse<String> none = get(apps.orders.resolve("/me"), null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"orders\"");

    String[] parts = token.split("\\.");
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("[\"buyer\"]", "[\"admin\"]");
    String escalated = parts[0] + "." + b64(payload) + "." + parts[2];
    HttpResponse<String> tampered = get(apps.orders.resolve("/admin"), escalated);
    assertThat(tampered.statusCode()).isEqualTo(401);
    assertThat(tampered.headers().firstValue("WWW-Authenticate"))
        .contains(
            "Bearer realm=\"orders\", error=\"invalid_token\", error_description=\"the signature does not verify\"");

    String unsecured = b64("{\"alg\":\"none\"}") + "." + b64(payload) + ".";
    assertThat(
            get(apps.orders.resolve("/admin"), unsecured)
                .headers()
                .firstValue("WWW-Authenticate")
                .orElseThrow())
        .contains("error_description=\"unsecured token (alg none) refused\"");

    HttpResponse<String> basic =
        send(
            HttpRequest.newBuilder(apps.orders.resolve("/me"))
                .header("Authorization", "Basic Ym9iOmJvYg==")
                .GET()
                .build());
    assertThat(basic.statusCode()).isEqualTo(400);
    assertThat(basic.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_request\"");
  }

  @Test
  void aTokenIsReissuedOnEveryChangeOfItsClaimsAndNotOtherwise() throws Exception {
    apps = new JwtServices(clock, List.of(JwtKeySet.generateEs256("k1", T0)));
    HttpResponse<String> login = post(apps.shop.resolve("/login?user=carol&roles=buyer"), null);
    String cookie = cookieOf(login);
    String token = login.headers().firstValue(HEADER).orElseThrow();

    HttpResponse<String> unchanged =
        send(shop("/cart", cookie).header(HEADER, token).POST(noBody()).build());
    assertThat(unchanged.statusCode()).isEqualTo(200);
    assertThat(unchanged.headers().firstValue(HEADER)).as("the token held is accurate").isEmpty();

    HttpResponse<String> promoted =
        send(shop("/roles?roles=buyer,admin", cookie).header(HEADER, token).POST(noBody()).build());
    String fresh = promoted.headers().firstValue(HEADER).orElseThrow();
    assertThat(get(apps.orders.resolve("/admin"), fresh).statusCode()).isEqualTo(200);
    assertThat(get(apps.orders.resolve("/admin"), token).statusCode()).isEqualTo(403);

    clock.advance(Duration.ofMinutes(3)); // past half the lifetime: the next response renews it
    HttpResponse<String> renewed =
        send(shop("/cart", cookie).header(HEADER, fresh).POST(noBody()).build());
    assertThat(renewed.headers().firstValue(HEADER)).isPresent().get().isNotEqualTo(fresh);
  }

  @Test
  void aRevokedSessionGetsNoNewTokenAndItsLastOneStopsWorkingAtItsExpiry() throws Exception {
    apps = new JwtServices(clock, List.of(JwtKeySet.generateEs256("k1", T0)));
    String cookie = cookieOf(post(apps.shop.resolve("/login?user=dave&roles=buyer"), null));

    HttpResponse<String> refresh =
        send(shop(JwtEndpoints.DEFAULT_TOKEN_PATH, cookie).GET().build());
    assertThat(refresh.statusCode()).isEqualTo(200);
    Map<String, Object> body = JSONObjectUtils.parse(refresh.body());
    assertThat(body).containsEntry("token_type", "Bearer").containsEntry("expires_in", 300L);
    String token = (String) body.get("token");
    assertThat(get(apps.orders.resolve("/me"), token).statusCode()).isEqualTo(200);

    assertThat(send(shop("/logout", cookie).POST(noBody()).build()).statusCode()).isEqualTo(200);
    HttpResponse<String> afterLogout =
        send(shop(JwtEndpoints.DEFAULT_TOKEN_PATH, cookie).GET().build());
    assertThat(afterLogout.statusCode()).isEqualTo(401);
    assertThat(afterLogout.body()).contains("\"error\":\"no_session\"");

    clock.advance(Duration.ofMinutes(5)); // within exp + 30 s skew: documented to still work
    assertThat(get(apps.orders.resolve("/me"), token).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(30));
    HttpResponse<String> expired = get(apps.orders.resolve("/me"), token);
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains(
            "error_description=\"the token expired at " + T0.plus(Duration.ofMinutes(5)) + "\"");
  }

  @Test
  void keysRotateWithThePublishedOverlap() throws Exception {
    Instant rotation = T0.plus(Duration.ofHours(1));
    apps =
        new JwtServices(
            clock,
            List.of(JwtKeySet.generateEs256("k1", T0), JwtKeySet.generateEs256("k2", rotation)));

    assertThat(kids()).as("k2 published an hour before it signs").containsExactly("k1", "k2");
    clock.set(rotation.minusSeconds(60));
    String old =
        post(apps.shop.resolve("/login?user=erin&roles=buyer"), null)
            .headers()
            .firstValue(HEADER)
            .orElseThrow();
    assertThat(SignedJWT.parse(old).getHeader().getKeyID()).isEqualTo("k1");

    clock.set(rotation);
    String current =
        post(apps.shop.resolve("/login?user=erin&roles=buyer"), null)
            .headers()
            .firstValue(HEADER)
            .orElseThrow();
    assertThat(SignedJWT.parse(current).getHeader().getKeyID()).isEqualTo("k2");
    assertThat(get(apps.orders.resolve("/me"), current).body()).isEqualTo("erin [buyer] k2\n");
    assertThat(get(apps.orders.resolve("/me"), old).body())
        .as("a k1 token still verifies after the rotation")
        .isEqualTo("erin [buyer] k1\n");

    clock.set(rotation.plus(JwtSettings.DEFAULT_LIFETIME).plus(Duration.ofMinutes(1)));
    assertThat(kids()).as("k1 retired once its last token expired").containsExactly("k2");
  }

  @Test
  void aKeyTheVerifierHasNotSeenIsFetchedOnFirstUse() throws Exception {
    apps = new JwtServices(clock, List.of(JwtKeySet.generateEs256("k1", T0)));
    String first =
        post(apps.shop.resolve("/login?user=fay&roles=buyer"), null)
            .headers()
            .firstValue(HEADER)
            .orElseThrow();
    assertThat(get(apps.orders.resolve("/me"), first).statusCode()).isEqualTo(200);
    long fetched = apps.jwks.fetches();

    // an operator adds k3 signing at once, with no pre-publication
    clock.advance(Duration.ofMinutes(1));
    ECKey k3 = JwtKeySet.generateEs256("k3", clock.instant());
    apps.issuer.keys(apps.issuer.keys().with(k3));
    String next =
        post(apps.shop.resolve("/login?user=fay&roles=buyer"), null)
            .headers()
            .firstValue(HEADER)
            .orElseThrow();

    assertThat(get(apps.orders.resolve("/me"), next).body()).isEqualTo("fay [buyer] k3\n");
    assertThat(apps.jwks.fetches()).isEqualTo(fetched + 1);
  }

  private List<String> kids() throws Exception {
    HttpResponse<String> r = get(apps.shop.resolve(JwtEndpoints.DEFAULT_JWKS_PATH), null);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/jwk-set+json");
    assertThat(r.headers().firstValue("Cache-Control")).contains("public, max-age=300");
    JWKSet set = JWKSet.parse(r.body());
    assertThat(set.getKeys()).noneMatch(JWK::isPrivate);
    return set.getKeys().stream().map(JWK::getKeyID).toList();
  }

  private HttpRequest.Builder shop(String path, String cookie) {
    return HttpRequest.newBuilder(apps.shop.resolve(path)).header("Cookie", cookie);
  }

  private HttpResponse<String> post(URI uri, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(noBody());
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    HttpResponse<String> r = send(b.build());
    assertThat(r.statusCode()).as("POST %s: %s", uri, r.body()).isEqualTo(200);
    return r;
  }

  private HttpResponse<String> get(URI uri, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return send(b.build());
  }

  private HttpResponse<String> send(HttpRequest r) throws Exception {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.BodyPublisher noBody() {
    return HttpRequest.BodyPublishers.noBody();
  }

  private static String cookieOf(HttpResponse<?> r) {
    String set =
        r.headers().allValues("Set-Cookie").stream()
            .filter(v -> v.startsWith("TSESSION="))
            .reduce((x, y) -> y)
            .orElseThrow();
    return set.substring(0, set.indexOf(';'));
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
