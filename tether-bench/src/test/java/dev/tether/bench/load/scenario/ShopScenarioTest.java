package dev.tether.bench.load.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shop flow's checks against an in-memory shop, socket-free. */
class ShopScenarioTest {

  /** A minimal in-memory shop keyed by a cookie value, driven by the flow's calls. */
  private static final class Shop {
    final Map<String, String> owner = new HashMap<>();
    final Map<String, List<String>> carts = new HashMap<>();
    int reads;
    int forgetEvery;
    int forgotten;
    String foreignItem;

    HttpReply handle(String session, HttpCall call, Map<String, String> jar) {
      String body = call.body() == null ? "" : call.body();
      if (call.path().equals("/api/login")) {
        String id = "s" + owner.size();
        owner.put(id, body.replaceAll(".*\"user\":\"([^\"]+)\".*", "$1"));
        carts.put(id, new ArrayList<>());
        jar.put("SID", id);
        return new HttpReply(200, "{}", "i1");
      }
      if (session == null || !owner.containsKey(session)) {
        return new HttpReply(401, "{\"error\":\"no session\"}", "i1");
      }
      return switch (call.path()) {
        case "/api/cart/items" -> {
          carts.get(session).add(body.replaceAll(".*\"sku\":\"([^\"]+)\".*", "$1"));
          yield new HttpReply(200, "{}", "i1");
        }
        case "/api/cart" -> {
          List<String> items = new ArrayList<>(carts.get(session));
          if (forgetEvery > 0 && ++reads % forgetEvery == 0) {
            forgotten++;
            items.clear();
          }
          if (foreignItem != null) {
            items.add(foreignItem);
          }
          StringBuilder b =
              new StringBuilder("{\"user\":\"" + owner.get(session) + "\",\"items\":[");
          for (int i = 0; i < items.size(); i++) {
            b.append(i == 0 ? "" : ",").append("{\"sku\":\"").append(items.get(i)).append("\"}");
          }
          yield new HttpReply(200, b.append("],\"version\":1}").toString(), "i1");
        }
        case "/api/checkout" -> {
          carts.get(session).clear();
          yield new HttpReply(200, "{}", "i1");
        }
        case "/api/logout" -> {
          owner.remove(session);
          jar.remove("SID");
          yield new HttpReply(200, "{}", "i1");
        }
        default -> new HttpReply(404, "{}", "i1");
      };
    }
  }

  private static Map<Verdict.Kind, Integer> drive(Shop shop, int users, int requestsEach) {
    ShopScenario scenario = new ShopScenario(3, "t");
    Map<Verdict.Kind, Integer> counts = new HashMap<>();
    for (int u = 0; u < users; u++) {
      UserFlow flow = scenario.newUser(u);
      Map<String, String> jar = new HashMap<>();
      for (int i = 0; i < requestsEach; i++) {
        HttpCall call = flow.next();
        Verdict v = flow.check(call, shop.handle(jar.get("SID"), call, jar));
        counts.merge(v.kind(), 1, Integer::sum);
      }
    }
    return counts;
  }

  @Test
  void aShopThatKeepsEveryCartGivesNoLostSession() {
    Map<Verdict.Kind, Integer> counts = drive(new Shop(), 20, 700);
    assertThat(counts).containsOnlyKeys(Verdict.Kind.OK);
    assertThat(counts.get(Verdict.Kind.OK)).isEqualTo(20 * 700);
  }

  @Test
  void aShopThatForgetsOneCartInAHundredIsCaughtEveryTime() {
    Shop shop = new Shop();
    shop.forgetEvery = 100;
    Map<Verdict.Kind, Integer> counts = drive(shop, 20, 700);
    // 20 users x 700 requests, 7 requests a round: 2000 cart reads, 20 of them forgotten
    assertThat(shop.forgotten).isEqualTo(20);
    assertThat(counts.get(Verdict.Kind.LOST_SESSION)).isEqualTo(shop.forgotten);
    assertThat(counts).doesNotContainKey(Verdict.Kind.ERROR);
  }

  @Test
  void anotherUsersItemIsAStaleSession() {
    Shop shop = new Shop();
    shop.foreignItem = "cap";
    ShopScenario scenario = new ShopScenario(1, "t");
    UserFlow flow = scenario.newUser(0);
    Map<String, String> jar = new HashMap<>();
    Verdict last = null;
    for (int i = 0; i < 3; i++) {
      HttpCall call = flow.next();
      last = flow.check(call, shop.handle(jar.get("SID"), call, jar));
    }
    assertThat(last.kind()).isEqualTo(Verdict.Kind.LOST_SESSION);
    assertThat(last.got()).contains("not added by this user {cap=1}");
    assertThat(flow.next().label()).as("a lost session starts over at login").isEqualTo("login");
  }

  @Test
  void a401ForALiveSessionIsLostButA500IsAnError() {
    ShopScenario scenario = new ShopScenario(2, "t");
    UserFlow flow = scenario.newUser(0);
    HttpCall login = flow.next();
    assertThat(flow.check(login, new HttpReply(200, "{}", "s1"))).isEqualTo(Verdict.OK);
    HttpCall add = flow.next();
    assertThat(flow.check(add, new HttpReply(500, "boom", "s1")).kind())
        .isEqualTo(Verdict.Kind.ERROR);
    HttpCall add2 = flow.next();
    Verdict v = flow.check(add2, new HttpReply(401, "{\"error\":\"expired\"}", "s2"));
    assertThat(v.kind()).isEqualTo(Verdict.Kind.LOST_SESSION);
    assertThat(v.expected()).contains("live session of bt-u0.0");
  }

  @Test
  void anItemWhoseAddFailedMayOrMayNotBeInTheCart() {
    ShopScenario scenario = new ShopScenario(2, "t");
    UserFlow flow = scenario.newUser(0);
    flow.check(flow.next(), new HttpReply(200, "{}", "s1"));
    flow.failed(flow.next());
    flow.check(flow.next(), new HttpReply(200, "{}", "s1"));
    HttpCall cart = flow.next();
    assertThat(cart.path()).isEqualTo("/api/cart");
    assertThat(
            flow.check(
                cart,
                new HttpReply(200, "{\"user\":\"bt-u0.0\",\"items\":[\"mug\",\"tee\"]}", "s1")))
        .isEqualTo(Verdict.OK);
  }

  @Test
  void anItemWhoseAddGotAGatewayErrorMayBeInTheCartButA400IsNot() {
    ShopScenario scenario = new ShopScenario(2, "t");
    UserFlow flow = scenario.newUser(0);
    flow.check(flow.next(), new HttpReply(200, "{}", "s1"));
    flow.check(flow.next(), new HttpReply(502, "backend reset", "s1"));
    flow.check(flow.next(), new HttpReply(200, "{}", "s2"));
    assertThat(
            flow.check(
                flow.next(),
                new HttpReply(200, "{\"user\":\"bt-u0.0\",\"items\":[\"mug\",\"tee\"]}", "s2")))
        .isEqualTo(Verdict.OK);

    UserFlow other = scenario.newUser(0);
    other.check(other.next(), new HttpReply(200, "{}", "s1"));
    other.check(other.next(), new HttpReply(400, "{\"error\":\"unknown sku\"}", "s1"));
    other.check(other.next(), new HttpReply(200, "{}", "s1"));
    assertThat(
            other
                .check(
                    other.next(),
                    new HttpReply(200, "{\"user\":\"bt-u0.0\",\"items\":[\"mug\",\"tee\"]}", "s1"))
                .kind())
        .isEqualTo(Verdict.Kind.LOST_SESSION);
  }

  @Test
  void quantitiesArePartOfTheCart() {
    ShopScenario scenario = new ShopScenario(2, "t", java.util.List.of("mug"));
    UserFlow one = scenario.newUser(0);
    one.check(one.next(), new HttpReply(200, "{}", "s1"));
    one.check(one.next(), new HttpReply(200, "{}", "s1"));
    one.check(one.next(), new HttpReply(200, "{}", "s1"));
    Verdict fewer =
        one.check(
            one.next(),
            new HttpReply(
                200, "{\"user\":\"bt-u0.0\",\"items\":[{\"sku\":\"mug\",\"quantity\":1}]}", "s1"));
    assertThat(fewer.kind()).isEqualTo(Verdict.Kind.LOST_SESSION);
    assertThat(fewer.got()).contains("missing {mug=1}");

    UserFlow two = scenario.newUser(1);
    two.check(two.next(), new HttpReply(200, "{}", "s1"));
    two.check(two.next(), new HttpReply(200, "{}", "s1"));
    two.check(two.next(), new HttpReply(200, "{}", "s1"));
    assertThat(
            two.check(
                two.next(),
                new HttpReply(
                    200,
                    "{\"user\":\"bt-u1.0\",\"items\":[{\"sku\":\"mug\",\"quantity\":2}]}",
                    "s1")))
        .isEqualTo(Verdict.OK);
  }

  @Test
  void itemsOutOfRangeAreRefused() {
    assertThatThrownBy(() -> new ShopScenario(0, "t")).hasMessage("items is 0; allowed: 1..100");
  }
}
