package dev.tether.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JSON API against real instances (memory store: each instance its own sessions). */
class ApiTest {

  static DemoCluster demo;
  static DemoInstance s1;
  static DemoInstance s2;

  @BeforeAll
  static void start() {
    demo =
        DemoCluster.start(
            DemoSettings.defaults().withStore(StoreKind.MEMORY, null).withInstances(2));
    s1 = demo.instance("s1");
    s2 = demo.instance("s2");
  }

  @AfterAll
  static void stop() {
    demo.close();
  }

  @Test
  void loginAddCartCheckoutLogout() {
    try (Shopper alice = new Shopper()) {
      JsonNode login = alice.login(s1, "alice");
      assertThat(login.get("user").asText()).isEqualTo("alice");
      assertThat(login.get("instance").asText()).isEqualTo("s1");
      assertThat(login.get("expiresInSeconds").asLong()).isBetween(1790L, 1800L);
      assertThat(alice.cookie).isNotNull();

      HttpResponse<String> add = alice.postJson(s1, "/api/cart/items", "{\"sku\": \"mug\"}");
      assertThat(add.statusCode()).isEqualTo(200);
      assertThat(add.headers().firstValue("X-Tether-Instance")).hasValue("s1");
      alice.postJson(s1, "/api/cart/items", "{\"sku\": \"mug\"}");
      alice.postJson(s1, "/api/cart/items", "{\"sku\": \"tee\"}");

      JsonNode cart = Shopper.json(alice.get(s1, "/api/cart"));
      assertThat(cart.get("instance").asText()).isEqualTo("s1");
      assertThat(cart.get("user").asText()).isEqualTo("alice");
      assertThat(cart.get("version").asLong()).isEqualTo(3);
      assertThat(cart.get("items")).hasSize(2);
      assertThat(cart.get("items").get(0).get("sku").asText()).isEqualTo("mug");
      assertThat(cart.get("items").get(0).get("quantity").asInt()).isEqualTo(2);
      assertThat(cart.get("totalCents").asLong()).isEqualTo(2 * 1200 + 2400);

      JsonNode order = Shopper.json(alice.postJson(s1, "/api/checkout", "{}"));
      assertThat(order.get("order").get("number").asLong()).isEqualTo(1);
      assertThat(order.get("order").get("totalCents").asLong()).isEqualTo(4800);
      JsonNode after = Shopper.json(alice.get(s1, "/api/cart"));
      assertThat(after.get("items")).isEmpty();
      assertThat(after.get("version").asLong()).isEqualTo(4);

      String oldCookie = alice.cookie;
      HttpResponse<String> logout = alice.postJson(s1, "/api/logout", "{}");
      assertThat(logout.statusCode()).isEqualTo(200);
      assertThat(Shopper.json(logout).get("loggedOut").asBoolean()).isTrue();
      assertThat(alice.cookie).isNull(); // the response expired the cookie

      alice.cookie = oldCookie; // a client that keeps presenting the old id
      HttpResponse<String> gone = alice.get(s1, "/api/cart");
      assertThat(gone.statusCode()).isEqualTo(401);
      assertThat(Shopper.json(gone).get("error").asText())
          .contains("expired or was ended")
          .contains("POST /api/login");
    }
  }

  @Test
  void loginRotatesTheSessionId() {
    try (Shopper bob = new Shopper()) {
      bob.get(s1, "/login"); // an anonymous session for the form
      String anonymous = bob.cookie;
      assertThat(anonymous).isNotNull();
      bob.login(s1, "bob");
      assertThat(bob.cookie).isNotNull().isNotEqualTo(anonymous);
    }
  }

  @Test
  void badInputGets400WithWhatIsAllowed() {
    try (Shopper carol = new Shopper()) {
      HttpResponse<String> badUser =
          carol.postJson(s1, "/api/login", "{\"user\": \"no spaces please\"}");
      assertThat(badUser.statusCode()).isEqualTo(400);
      assertThat(Shopper.json(badUser).get("error").asText()).contains("1 to 32 letters, digits");
      HttpResponse<String> noUser = carol.postJson(s1, "/api/login", "{}");
      assertThat(noUser.statusCode()).isEqualTo(400);
      HttpResponse<String> notJson = carol.postJson(s1, "/api/login", "user=carol");
      assertThat(notJson.statusCode()).isEqualTo(400);
      assertThat(Shopper.json(notJson).get("error").asText()).contains("not JSON");
      HttpResponse<String> array = carol.postJson(s1, "/api/login", "[1]");
      assertThat(Shopper.json(array).get("error").asText()).contains("must be a JSON object");
      HttpResponse<String> form = carol.postForm(s1, "/api/login", "user=carol");
      assertThat(form.statusCode()).isEqualTo(415);
      assertThat(Shopper.json(form).get("error").asText()).contains("application/json");

      carol.login(s1, "carol");
      HttpResponse<String> sku = carol.postJson(s1, "/api/cart/items", "{\"sku\": \"yacht\"}");
      assertThat(sku.statusCode()).isEqualTo(400);
      assertThat(Shopper.json(sku).get("error").asText())
          .contains("unknown sku \"yacht\"")
          .contains("allowed: mug, tee");
      HttpResponse<String> empty = carol.postJson(s1, "/api/checkout", "{}");
      assertThat(empty.statusCode()).isEqualTo(400);
      assertThat(Shopper.json(empty).get("error").asText()).contains("the cart is empty");
      HttpResponse<String> method = carol.get(s1, "/api/checkout");
      assertThat(method.statusCode()).isEqualTo(405);
      HttpResponse<String> unknown = carol.get(s1, "/api/nothing");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(Shopper.json(unknown).get("error").asText()).contains("GET /api/cart");
    }
  }

  @Test
  void noSessionGets401() {
    try (Shopper dave = new Shopper()) {
      HttpResponse<String> cart = dave.get(s1, "/api/cart");
      assertThat(cart.statusCode()).isEqualTo(401);
      assertThat(cart.headers().firstValue("X-Tether-Instance")).hasValue("s1");
      assertThat(Shopper.json(cart).get("error").asText()).contains("not logged in");
      assertThat(dave.postJson(s1, "/api/cart/items", "{\"sku\": \"mug\"}").statusCode())
          .isEqualTo(401);
      assertThat(dave.postJson(s1, "/api/checkout", "{}").statusCode()).isEqualTo(401);
      assertThat(dave.postJson(s1, "/api/logout", "{}").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void memoryCartStaysOnItsInstanceAndDiesWithIt() {
    try (Shopper erin = new Shopper()) {
      erin.login(s2, "erin");
      erin.postJson(s2, "/api/cart/items", "{\"sku\": \"cap\"}");
      // another instance has never heard of the session: nothing is replicated
      assertThat(erin.get(s1, "/api/cart").statusCode()).isEqualTo(401);
    }
    try (Shopper frank = new Shopper()) {
      frank.login(s2, "frank");
      frank.postJson(s2, "/api/cart/items", "{\"sku\": \"cap\"}");
      String cookie = frank.cookie;
      demo.kill("s2");
      demo.start("s2");
      frank.cookie = cookie;
      HttpResponse<String> lost = frank.get(s2, "/api/cart");
      assertThat(lost.statusCode()).isEqualTo(401);
      assertThat(lost.headers().firstValue("X-Tether-Instance")).hasValue("s2");
    }
  }

  @Test
  void healthAndMetrics() {
    try (Shopper probe = new Shopper()) {
      HttpResponse<String> health = probe.get(s1, "/healthz");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("ok");
      probe.login(s1, "grace");
      probe.postJson(s1, "/api/cart/items", "{\"sku\": \"mug\"}");
      String metrics = probe.get(s1, "/tether/metrics").body();
      assertThat(metrics)
          .contains("tether_sessions_active ")
          .contains("tether_sessions_size_bytes_bucket{")
          .contains("tether_sessions_size_bytes_count ")
          .contains("tether_sessions_store_latency_seconds_bucket{")
          .contains("operation=\"save\"");
    }
  }
}
