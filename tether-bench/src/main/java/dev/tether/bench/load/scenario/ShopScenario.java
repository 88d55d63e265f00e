package dev.tether.bench.load.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo shop's flow: log in, add {@code items} items, read the cart, check out, log out, and
 * again. Every reply is checked against what this user did: a cart that misses one of the user's
 * items, holds an item the user never added (another user's, or an older cart's), names another
 * user, or a 401 while the session should be live, is a lost or stale session. Items are the shop's
 * catalogue products (a real shop refuses unknown ones), counted per product: a cart holding fewer
 * of a product than this user added is missing some, more than it added holds someone else's. Each
 * login uses a fresh user name, so another user's or an earlier round's cart cannot pass, and the
 * products a user adds rotate, so a stale copy of the cart shows as a missing item.
 *
 * <p>API: {@code POST /api/login {"user"}}, {@code POST /api/cart/items {"sku"}}, {@code GET
 * /api/cart -> {"user", "items": [...]}}, {@code POST /api/checkout}, {@code POST /api/logout}.
 */
public final class ShopScenario implements Scenario {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The demo shop's catalogue. */
  public static final List<String> DEMO_SKUS = List.of("mug", "tee", "socks", "cap", "sticker");

  private final int items;
  private final String runId;
  private final List<String> skus;

  /** Over the demo shop's catalogue. */
  public ShopScenario(int items, String runId) {
    this(items, runId, DEMO_SKUS);
  }

  /**
   * @param items items each user adds per round, 1..100
   * @param runId tells this run's user names from another run's against the same server
   * @param skus the products users add, in turn
   */
  public ShopScenario(int items, String runId, List<String> skus) {
    if (items < 1 || items > 100) {
      throw new IllegalArgumentException("items is " + items + "; allowed: 1..100");
    }
    if (skus.isEmpty()) {
      throw new IllegalArgumentException("no products to add; give at least one sku");
    }
    this.items = items;
    this.runId = runId;
    this.skus = List.copyOf(skus);
  }

  @Override
  public String name() {
    return "shop";
  }

  @Override
  public UserFlow newUser(int user) {
    return new Flow("b" + runId + "-u" + user, user);
  }

  private enum Step {
    LOGIN,
    ADD,
    CART,
    CHECKOUT,
    LOGOUT
  }

  private final class Flow implements UserFlow {
    private final String prefix;
    private final int offset;
    private int round;
    private Step step = Step.LOGIN;
    private int added;
    private final Map<String, Integer> cart = new TreeMap<>();
    private final Map<String, Integer> uncertain = new TreeMap<>();

    Flow(String prefix, int offset) {
      this.prefix = prefix;
      this.offset = offset;
    }

    private String user() {
      return prefix + "." + round;
    }

    @Override
    public HttpCall next() {
      return switch (step) {
        case LOGIN -> HttpCall.postJson("login", "/api/login", "{\"user\":\"" + user() + "\"}");
        case ADD ->
            HttpCall.postJson(
                "add-item",
                "/api/cart/items",
                "{\"sku\":\""
                    + skus.get(Math.floorMod(offset + round + added, skus.size()))
                    + "\"}");
        case CART -> HttpCall.get("cart", "/api/cart");
        case CHECKOUT -> HttpCall.postJson("checkout", "/api/checkout", null);
        case LOGOUT -> HttpCall.postJson("logout", "/api/logout", null);
      };
    }

    @Override
    public Verdict check(HttpCall call, HttpReply reply) {
      int status = reply.status();
      if (status == 401 && step != Step.LOGIN) {
        return restart(
            Verdict.lost(
                "the live session of " + user() + " at " + step.name().toLowerCase(),
                "401 " + abbreviate(reply.body())));
      }
      if (status < 200 || status > 299) {
        Verdict v = Verdict.error("2xx", status + " " + abbreviate(reply.body()));
        if (step == Step.ADD && status >= 502 && status <= 504) {
          // a gateway error: the instance may have added the item before its answer was lost
          uncertain.merge(skuOf(call), 1, Integer::sum);
        }
        if (step == Step.LOGIN || step == Step.LOGOUT) {
          restart(v);
        } else {
          advance();
        }
        return v;
      }
      if (step == Step.ADD) {
        cart.merge(skuOf(call), 1, Integer::sum);
      }
      if (step == Step.CART) {
        Verdict v = checkCart(reply.body());
        if (v.kind() != Verdict.Kind.OK) {
          return v.kind() == Verdict.Kind.LOST_SESSION ? restart(v) : v;
        }
      }
      advance();
      return Verdict.OK;
    }

    @Override
    public void failed(HttpCall call) {
      switch (step) {
        case ADD -> {
          uncertain.merge(skuOf(call), 1, Integer::sum);
          advance();
        }
        case CART -> advance();
        default -> restart(Verdict.OK);
      }
    }

    private Verdict checkCart(String body) {
      JsonNode doc;
      try {
        doc = JSON.readTree(body);
      } catch (Exception e) {
        return Verdict.error("a JSON cart", abbreviate(body));
      }
      if (doc == null || !doc.isObject()) {
        return Verdict.error("a JSON cart", abbreviate(body));
      }
      String expected =
          "cart of "
              + user()
              + " "
              + cart
              + (uncertain.isEmpty() ? "" : " (maybe " + uncertain + ")");
      String owner = doc.path("user").asText(null);
      if (owner != null && !owner.equals(user())) {
        return Verdict.lost(expected, "cart of " + owner + " " + doc.path("items"));
      }
      Map<String, Integer> got = new TreeMap<>();
      for (JsonNode item : doc.path("items")) {
        String sku = item.isTextual() ? item.asText() : item.path("sku").asText();
        got.merge(sku, item.isTextual() ? 1 : item.path("quantity").asInt(1), Integer::sum);
      }
      Map<String, Integer> missing = new TreeMap<>();
      cart.forEach(
          (sku, n) -> {
            if (got.getOrDefault(sku, 0) < n) {
              missing.put(sku, n - got.getOrDefault(sku, 0));
            }
          });
      Map<String, Integer> foreign = new TreeMap<>();
      got.forEach(
          (sku, n) -> {
            int allowed = cart.getOrDefault(sku, 0) + uncertain.getOrDefault(sku, 0);
            if (n > allowed) {
              foreign.put(sku, n - allowed);
            }
          });
      if (!missing.isEmpty() || !foreign.isEmpty()) {
        return Verdict.lost(
            expected,
            got
                + (missing.isEmpty() ? "" : " missing " + missing)
                + (foreign.isEmpty() ? "" : " not added by this user " + foreign));
      }
      return Verdict.OK;
    }

    private void advance() {
      step =
          switch (step) {
            case LOGIN -> Step.ADD;
            case ADD -> ++added < items ? Step.ADD : Step.CART;
            case CART -> Step.CHECKOUT;
            case CHECKOUT -> Step.LOGOUT;
            case LOGOUT -> {
              newRound();
              yield Step.LOGIN;
            }
          };
    }

    private Verdict restart(Verdict v) {
      newRound();
      step = Step.LOGIN;
      return v;
    }

    private void newRound() {
      round++;
      added = 0;
      cart.clear();
      uncertain.clear();
    }

    private String skuOf(HttpCall call) {
      String body = call.body();
      int start = body.indexOf(":\"") + 2;
      return body.substring(start, body.length() - 2);
    }
  }

  static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    String one = s.replace('\n', ' ').strip();
    return one.length() > 200 ? one.substring(0, 200) + "..." : one;
  }
}
