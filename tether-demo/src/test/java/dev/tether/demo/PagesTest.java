package dev.tether.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.time.SettableClock;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The page flow through a real HTTP client: sign-in with the CSRF token, add, cart, check out, log
 * out, and expiry, with a 10-minute idle timeout and a clock the test moves.
 */
class PagesTest {

  static final SettableClock clock = new SettableClock(Instant.parse("2026-12-02T12:00:00Z"));
  static DemoCluster demo;
  static DemoInstance s1;

  @BeforeAll
  static void start() {
    demo =
        DemoCluster.start(
            DemoSettings.defaults()
                .withStore(StoreKind.MEMORY, null)
                .withInstances(1)
                .withIdleTimeout(Duration.ofMinutes(10)),
            clock);
    s1 = demo.instance("s1");
  }

  @AfterAll
  static void stop() {
    demo.close();
  }

  private static String form(String... pairs) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      if (b.length() > 0) {
        b.append('&');
      }
      b.append(pairs[i])
          .append('=')
          .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    return b.toString();
  }

  /** Signs in through the login form; returns the CSRF token of the signed-in session. */
  private static String signIn(Shopper user, String name) {
    HttpResponse<String> page = user.get(s1, "/login");
    assertThat(page.statusCode()).isEqualTo(200);
    String anonymous = user.cookie;
    HttpResponse<String> in =
        user.postForm(s1, "/login", form("user", name, "_csrf", Shopper.csrf(page.body())));
    assertThat(in.statusCode()).isEqualTo(303);
    assertThat(in.headers().firstValue("Location")).hasValue("/");
    assertThat(user.cookie).isNotEqualTo(anonymous); // the library's login rotated the id
    HttpResponse<String> shop = user.get(s1, "/");
    assertThat(shop.statusCode()).isEqualTo(200);
    return Shopper.csrf(shop.body());
  }

  @Test
  void signInShopCheckOutAndLogOut() {
    try (Shopper alice = new Shopper()) {
      String csrf = signIn(alice, "alice");
      HttpResponse<String> shop = alice.get(s1, "/");
      assertThat(shop.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertThat(shop.headers().firstValue("X-Tether-Instance")).hasValue("s1");
      assertThat(shop.body())
          .contains("served by <b id=\"instance\">s1</b>")
          .contains(">alice<")
          .contains("id=\"remaining\">10:00<")
          .contains("Tether mug")
          .contains("/ws/chat");

      HttpResponse<String> added =
          alice.postForm(s1, "/cart/add", form("sku", "mug", "_csrf", csrf));
      assertThat(added.statusCode()).isEqualTo(303);
      assertThat(added.headers().firstValue("Location")).hasValue("/?added=mug");
      assertThat(alice.get(s1, "/?added=mug").body()).contains("Added <b>Tether mug</b>");

      HttpResponse<String> cart = alice.get(s1, "/cart");
      assertThat(cart.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertThat(cart.body()).contains("data-sku=\"mug\"").contains("$12.00");

      HttpResponse<String> noToken = alice.postForm(s1, "/cart/add", form("sku", "tee"));
      assertThat(noToken.statusCode()).isEqualTo(403);
      assertThat(noToken.body()).contains("security token (CSRF)");
      assertThat(alice.get(s1, "/cart").body()).doesNotContain("data-sku=\"tee\"");

      HttpResponse<String> out = alice.postForm(s1, "/checkout", form("_csrf", csrf));
      assertThat(out.headers().firstValue("Location")).hasValue("/order");
      assertThat(alice.get(s1, "/order").body()).contains("Order <b>#1</b>").contains("$12.00");
      assertThat(alice.get(s1, "/cart").body()).contains("Your cart is empty");

      alice.postForm(s1, "/cart/add", form("sku", "tee", "_csrf", csrf));
      HttpResponse<String> logout = alice.postForm(s1, "/logout", form("_csrf", csrf));
      assertThat(logout.statusCode()).isEqualTo(303);
      assertThat(logout.headers().firstValue("Location")).hasValue("/login?bye=1");
      assertThat(logout.headers().firstValue("Clear-Site-Data")).isPresent();
      assertThat(alice.cookie).isNull();
      assertThat(alice.get(s1, "/login?bye=1").body()).contains("You are signed out");

      // the back button: the cart page is asked for again (no-store) and sends to the login
      HttpResponse<String> back = alice.get(s1, "/cart");
      assertThat(back.statusCode()).isEqualTo(303);
      assertThat(back.headers().firstValue("Location")).hasValue("/login");
    }
  }

  @Test
  void expiredSessionLandsOnTheLoginWithAMessage() {
    try (Shopper bob = new Shopper()) {
      String csrf = signIn(bob, "bob");
      bob.postForm(s1, "/cart/add", form("sku", "cap", "_csrf", csrf));
      clock.advance(Duration.ofMinutes(10).plusSeconds(1));

      HttpResponse<String> cart = bob.get(s1, "/cart");
      assertThat(cart.statusCode()).isEqualTo(303);
      assertThat(cart.headers().firstValue("Location")).hasValue("/login?expired=1");
      HttpResponse<String> login = bob.get(s1, "/login?expired=1");
      assertThat(login.statusCode()).isEqualTo(200);
      assertThat(login.body()).contains("Your session expired, please sign in again.");
    }
    try (Shopper carol = new Shopper()) {
      String csrf = signIn(carol, "carol");
      String cookie = carol.cookie;
      clock.advance(Duration.ofMinutes(11));
      carol.cookie = cookie;
      // a form sent from a page left open past the expiry: to the login, not an error page
      HttpResponse<String> add = carol.postForm(s1, "/cart/add", form("sku", "cap", "_csrf", csrf));
      assertThat(add.statusCode()).isEqualTo(303);
      assertThat(add.headers().firstValue("Location")).hasValue("/login?expired=1");
    }
  }

  @Test
  void theWarningOffersToStaySignedIn() {
    try (Shopper dave = new Shopper()) {
      String csrf = signIn(dave, "dave");
      clock.advance(Duration.ofMinutes(9)); // the warning is the last 2 minutes (a fifth of 10)
      String page = dave.get(s1, "/cart").body();
      assertThat(page).contains("data-warning=\"120\"").contains("id=\"extend\">Stay signed in");
      clock.advance(Duration.ofSeconds(30));
      HttpResponse<String> extended =
          dave.send(
              s1,
              HttpRequest.newBuilder(Shopper.uri(s1, "/session/extend"))
                  .header("X-CSRF-Token", csrf)
                  .header("Accept", "application/json")
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(extended.statusCode()).isEqualTo(200);
      assertThat(Shopper.json(extended).get("remainingSeconds").asLong()).isEqualTo(600);
      clock.advance(Duration.ofMinutes(9)); // 18.5 minutes after sign-in, 9 after the extension
      assertThat(dave.get(s1, "/cart").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void unknownPagesAndForeignFormsAreRefusedPolitely() {
    try (Shopper eve = new Shopper()) {
      HttpResponse<String> missing = eve.get(s1, "/nope");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.body()).contains("There is no such page");
      eve.get(s1, "/login");
      HttpResponse<String> forged =
          eve.postForm(s1, "/login", form("user", "eve", "_csrf", "forged"));
      assertThat(forged.statusCode()).isEqualTo(403);
      HttpResponse<String> shop = eve.get(s1, "/");
      assertThat(shop.headers().firstValue("Location")).hasValue("/login");
    }
  }
}
