package shop;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo shop's JSON API on plain Tomcat, sessions in the container's own memory (HttpSession),
 * for the continuity anchor: what a user of a sticky balancer without session replication gets.
 *
 * <pre>
 * POST /api/login {"user"}   POST /api/cart/items {"sku"}   GET /api/cart
 * POST /api/checkout         POST /api/logout               GET /healthz
 * </pre>
 *
 * Every answer carries {@code X-Tether-Instance} (system property {@code shop.instance}).
 */
@WebServlet(urlPatterns = {"/api/*", "/healthz"})
public final class ShopServlet extends HttpServlet {

  private static final Pattern FIELD = Pattern.compile("\"(user|sku)\"\\s*:\\s*\"([^\"\\\\]{1,200})\"");
  private static final String INSTANCE = System.getProperty("shop.instance", "tomcat");

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setHeader("X-Tether-Instance", INSTANCE);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
    String route = req.getMethod() + " " + path;
    if (route.equals("GET /healthz")) {
      answer(resp, 200, "{\"status\":\"up\"}");
      return;
    }
    if (route.equals("POST /api/login")) {
      String user = field(req, "user");
      if (user == null) {
        answer(resp, 400, "{\"error\":\"body must be {\\\"user\\\": \\\"name\\\"}\"}");
        return;
      }
      HttpSession old = req.getSession(false);
      if (old != null) {
        old.invalidate();
      }
      HttpSession s = req.getSession(true);
      s.setAttribute("user", user);
      s.setAttribute("items", new ArrayList<String>());
      s.setAttribute("version", 0);
      answer(resp, 200, "{\"user\":\"" + user + "\",\"instance\":\"" + INSTANCE + "\"}");
      return;
    }
    HttpSession s = req.getSession(false);
    if (s == null || s.getAttribute("user") == null) {
      if (route.startsWith("GET /api/") || route.startsWith("POST /api/")) {
        answer(resp, 401, "{\"error\":\"no session or session expired; log in first\"}");
      } else {
        answer(resp, 404, "{\"error\":\"no such endpoint\"}");
      }
      return;
    }
    synchronized (s) {
      @SuppressWarnings("unchecked")
      List<String> items = (List<String>) s.getAttribute("items");
      int version = (Integer) s.getAttribute("version");
      switch (route) {
        case "POST /api/cart/items" -> {
          String sku = field(req, "sku");
          if (sku == null) {
            answer(resp, 400, "{\"error\":\"body must be {\\\"sku\\\": \\\"id\\\"}\"}");
            return;
          }
          items.add(sku);
          s.setAttribute("version", version + 1);
          answer(resp, 200, cart(s, items, version + 1));
        }
        case "GET /api/cart" -> answer(resp, 200, cart(s, items, version));
        case "POST /api/checkout" -> {
          int n = items.size();
          items.clear();
          s.setAttribute("version", version + 1);
          answer(resp, 200, "{\"ordered\":" + n + "}");
        }
        case "POST /api/logout" -> {
          s.invalidate();
          answer(resp, 200, "{\"loggedOut\":true}");
        }
        default -> answer(resp, 404, "{\"error\":\"no such endpoint\"}");
      }
    }
  }

  private static String cart(HttpSession s, List<String> items, int version) {
    StringBuilder b = new StringBuilder("{\"instance\":\"" + INSTANCE + "\",\"user\":\"" + s.getAttribute("user") + "\",\"items\":[");
    for (int i = 0; i < items.size(); i++) {
      b.append(i == 0 ? "" : ",").append('"').append(items.get(i)).append('"');
    }
    return b.append("],\"version\":").append(version).append('}').toString();
  }

  private static String field(HttpServletRequest req, String name) throws IOException {
    String body = new String(req.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
    Matcher m = FIELD.matcher(body);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        return m.group(2);
      }
    }
    return null;
  }

  private static void answer(HttpServletResponse resp, int status, String json) throws IOException {
    resp.setStatus(status);
    byte[] out = json.getBytes(StandardCharsets.UTF_8);
    resp.setContentLength(out.length);
    resp.getOutputStream().write(out);
  }
}
