package dev.tether.demo.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.session.ActiveSession;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Locale;

/**
 * The JSON API for scripts and the load generator:
 *
 * <pre>
 * POST /api/login       {"user": "alice"}  -> {"instance", "user", "expiresInSeconds"}  (sets the cookie)
 * POST /api/cart/items  {"sku": "mug"}     -> the cart
 * GET  /api/cart                           -> {"instance", "user", "items": [{"sku", "name", "priceCents", "quantity"}],
 *                                              "totalCents", "version"}
 * POST /api/checkout                       -> {"instance", "user", "order": {"number", "items", "totalCents"}}
 * POST /api/logout                         -> {"instance", "user", "loggedOut": true}  (the session ends everywhere)
 * </pre>
 *
 * {@code version} is the cart's change count (one per add, one per checkout), not the session's
 * store version, so a client can tell whether the cart it sees is the one it last changed.
 *
 * <p>Errors are JSON {@code {"error": "..."}} saying what was wrong and what is allowed: 400 for a
 * bad body or value, 401 when there is no logged-in session (none, expired or logged out), 404 for
 * an unknown path, 405 for a wrong method, 415 for a POST that is not {@code application/json}.
 *
 * <p><b>No CSRF token here, by design.</b> The API is authenticated by the same session cookie as
 * the pages, so a cross-site request could carry it; but every POST must be {@code Content-Type:
 * application/json}, which an HTML form cannot send and a cross-origin script can only send after a
 * CORS preflight that this server never approves. The session cookie is also {@code SameSite=Lax},
 * so browsers leave it off cross-site POSTs anyway.
 */
final class ApiServlet extends HttpServlet {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ENDPOINTS =
      "POST /api/login, POST /api/cart/items, GET /api/cart, POST /api/checkout, POST /api/logout";

  private final transient InstanceContext ctx;

  ApiServlet(InstanceContext ctx) {
    this.ctx = ctx;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setHeader("Cache-Control", "no-store");
    String path = req.getRequestURI();
    String method = req.getMethod();
    String expected =
        switch (path) {
          case "/api/login", "/api/cart/items", "/api/checkout", "/api/logout" -> "POST";
          case "/api/cart" -> "GET";
          default -> null;
        };
    if (expected == null) {
      error(resp, 404, "no endpoint " + method + " " + path + "; the API has " + ENDPOINTS);
      return;
    }
    if (!expected.equals(method)) {
      resp.setHeader("Allow", expected);
      error(resp, 405, path + " takes " + expected + ", not " + method);
      return;
    }
    if (expected.equals("POST") && !isJson(req)) {
      error(
          resp,
          415,
          "send the body as Content-Type: application/json (got "
              + (req.getContentType() == null ? "none" : req.getContentType())
              + ")");
      return;
    }
    switch (path) {
      case "/api/login" -> login(req, resp);
      case "/api/cart/items" -> addItem(req, resp);
      case "/api/cart" -> cart(req, resp);
      case "/api/checkout" -> checkout(req, resp);
      default -> logout(req, resp);
    }
  }

  private void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    JsonNode body = body(req, resp, "{\"user\": \"alice\"}");
    if (body == null) {
      return;
    }
    JsonNode user = body.get("user");
    String problem =
        user == null || !user.isTextual()
            ? InstanceContext.badUser(null)
            : InstanceContext.badUser(user.asText());
    if (problem != null) {
      error(resp, 400, problem);
      return;
    }
    ActiveSession s = ctx.login(req, user.asText());
    ObjectNode out = base(s);
    out.put("expiresInSeconds", ctx.manager().remaining(s).toSeconds());
    send(resp, 200, out);
  }

  private void addItem(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    ActiveSession s = member(req, resp);
    if (s == null) {
      return;
    }
    JsonNode body = body(req, resp, "{\"sku\": \"mug\"}");
    if (body == null) {
      return;
    }
    JsonNode sku = body.get("sku");
    if (sku == null || !sku.isTextual() || Catalog.find(sku.asText()).isEmpty()) {
      error(
          resp,
          400,
          (sku == null ? "field 'sku' is missing" : "unknown sku " + sku)
              + "; allowed: "
              + Catalog.skus());
      return;
    }
    Cart cart = Cart.of(s).add(sku.asText());
    cart.store(s);
    send(resp, 200, cartJson(s, cart));
  }

  private void cart(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    ActiveSession s = member(req, resp);
    if (s != null) {
      send(resp, 200, cartJson(s, Cart.of(s)));
    }
  }

  private void checkout(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    ActiveSession s = member(req, resp);
    if (s == null) {
      return;
    }
    Cart cart = Cart.of(s);
    if (cart.isEmpty()) {
      error(
          resp,
          400,
          "the cart is empty; add items with POST /api/cart/items {\"sku\": \"...\"} first");
      return;
    }
    long number = ctx.checkout(s, cart);
    ObjectNode out = base(s);
    ObjectNode order = out.putObject("order");
    order.put("number", number);
    order.set("items", items(cart));
    order.put("totalCents", cart.totalCents());
    send(resp, 200, out);
  }

  private void logout(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    ActiveSession s = member(req, resp);
    if (s == null) {
      return;
    }
    ObjectNode out = base(s);
    HttpSession http = req.getSession(false);
    if (http != null) {
      http.invalidate();
    }
    out.put("loggedOut", true);
    send(resp, 200, out);
  }

  private ActiveSession member(HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    ActiveSession s = InstanceContext.member(req);
    if (s == null) {
      error(
          resp,
          401,
          InstanceContext.sessionEnded(req)
              ? "your session expired or was ended; log in again with POST /api/login {\"user\": \"...\"}"
              : "not logged in; POST /api/login {\"user\": \"...\"} first and send its cookie");
    }
    return s;
  }

  private ObjectNode base(ActiveSession s) {
    ObjectNode out = JSON.createObjectNode();
    out.put("instance", ctx.name());
    out.put("user", s.principal());
    return out;
  }

  private ObjectNode cartJson(ActiveSession s, Cart cart) {
    ObjectNode out = base(s);
    out.set("items", items(cart));
    out.put("totalCents", cart.totalCents());
    out.put("version", cart.version());
    return out;
  }

  private static ArrayNode items(Cart cart) {
    ArrayNode items = JSON.createArrayNode();
    for (Cart.Line l : cart.lines()) {
      ObjectNode i = items.addObject();
      i.put("sku", l.product().sku());
      i.put("name", l.product().name());
      i.put("priceCents", l.product().priceCents());
      i.put("quantity", l.quantity());
    }
    return items;
  }

  private static boolean isJson(HttpServletRequest req) {
    String type = req.getContentType();
    return type != null
        && type.toLowerCase(Locale.ROOT).split(";")[0].trim().equals("application/json");
  }

  /** The body as a JSON object, or {@code null} after answering 400. */
  private static JsonNode body(HttpServletRequest req, HttpServletResponse resp, String example)
      throws IOException {
    byte[] bytes = req.getInputStream().readNBytes(16 * 1024 + 1);
    if (bytes.length > 16 * 1024) {
      error(resp, 400, "the body is larger than 16 KiB; send a small JSON object like " + example);
      return null;
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (JsonProcessingException e) {
      error(
          resp,
          400,
          "the body is not JSON (" + e.getOriginalMessage() + "); send an object like " + example);
      return null;
    }
    error(resp, 400, "the body must be a JSON object like " + example);
    return null;
  }

  private static void error(HttpServletResponse resp, int status, String message)
      throws IOException {
    send(resp, status, JSON.createObjectNode().put("error", message));
  }

  private static void send(HttpServletResponse resp, int status, ObjectNode body)
      throws IOException {
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.getWriter().write(body.toString());
  }
}
