package dev.tether.demo.web;

import dev.tether.session.ActiveSession;
import dev.tether.session.servlet.TetherSessionFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Map;

/**
 * The shop's pages, server-rendered:
 *
 * <pre>
 * GET  /login            sign-in form (with the session's CSRF token; the session is anonymous until then)
 * POST /login            user, _csrf           -> signs in (id rotated), to /
 * GET  /                 products and the chat room
 * POST /cart/add         sku, _csrf            -> to / with a notice
 * GET  /cart             the cart
 * POST /checkout         _csrf                 -> to /order
 * GET  /order            the last order
 * POST /session/extend   _csrf (form) or X-CSRF-Token (script) -> extends the session
 * POST /logout           _csrf                 -> ends the session everywhere, to /login
 * </pre>
 *
 * Every page is {@code Cache-Control: no-store}, so the back button after logout asks the server
 * again and gets the login page, never a cached cart. A page or form that needs a signed-in user
 * and finds no live session sends the browser to {@code /login?expired=1} ("your session expired,
 * please sign in again") when it presented a session cookie, to {@code /login} otherwise; a form
 * whose CSRF token is wrong gets a 403 page that says so.
 */
final class ShopServlet extends HttpServlet {

  private final transient InstanceContext ctx;

  ShopServlet(InstanceContext ctx) {
    this.ctx = ctx;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setHeader("Cache-Control", "no-store");
    String path = req.getRequestURI();
    String method = req.getMethod();
    if (method.equals("GET") || method.equals("HEAD")) {
      switch (path) {
        case "/login" -> loginPage(req, resp, null);
        case "/" -> withMember(req, resp, s -> shop(req, resp, s));
        case "/cart" -> withMember(req, resp, s -> cart(resp, s));
        case "/order" -> withMember(req, resp, s -> order(resp, s));
        default -> notFound(resp);
      }
      return;
    }
    if (!method.equals("POST")) {
      resp.setHeader("Allow", "GET, POST");
      resp.sendError(405);
      return;
    }
    switch (path) {
      case "/login" -> login(req, resp);
      case "/cart/add" -> withForm(req, resp, s -> add(req, resp, s));
      case "/checkout" -> withForm(req, resp, s -> checkout(resp, s));
      case "/session/extend" -> withForm(req, resp, s -> extend(req, resp, s));
      case "/logout" -> withForm(req, resp, s -> logout(req, resp));
      default -> notFound(resp);
    }
  }

  private interface Action {
    void run(ActiveSession s) throws IOException;
  }

  /** Runs {@code page} for a signed-in user, or sends them to sign in. */
  private void withMember(HttpServletRequest req, HttpServletResponse resp, Action page)
      throws IOException {
    ActiveSession s = InstanceContext.member(req);
    if (s == null) {
      toLogin(req, resp);
      return;
    }
    page.run(s);
  }

  /** As {@link #withMember}, after checking the form's CSRF token. */
  private void withForm(HttpServletRequest req, HttpServletResponse resp, Action action)
      throws IOException {
    ActiveSession s = InstanceContext.member(req);
    if (s == null) {
      toLogin(req, resp);
      return;
    }
    if (!ctx.manager().csrf().verify(s, token(req))) {
      forbidden(resp, s);
      return;
    }
    action.run(s);
  }

  private static String token(HttpServletRequest req) {
    String t = req.getHeader("X-CSRF-Token");
    return t != null ? t : req.getParameter("_csrf");
  }

  private void toLogin(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    boolean wantsJson = String.valueOf(req.getHeader("Accept")).contains("application/json");
    if (wantsJson) {
      resp.setStatus(401);
      resp.setContentType("application/json");
      resp.getWriter().write("{\"error\":\"your session expired, please sign in again\"}");
      return;
    }
    resp.setStatus(303);
    resp.setHeader("Location", InstanceContext.sessionEnded(req) ? "/login?expired=1" : "/login");
  }

  private void loginPage(HttpServletRequest req, HttpServletResponse resp, String problem)
      throws IOException {
    ActiveSession s = TetherSessionFilter.session(req, true);
    String token = ctx.manager().csrf().token(s);
    StringBuilder b = new StringBuilder("<div class=\"login panel\"><h1>Sign in</h1>");
    if (problem != null) {
      b.append("<div class=\"notice bad\">").append(Html.esc(problem)).append("</div>");
    } else if (req.getParameter("expired") != null) {
      b.append(
          "<div class=\"notice bad\" id=\"expired\">Your session expired, please sign in again.</div>");
    } else if (req.getParameter("bye") != null) {
      b.append(
          "<div class=\"notice\" id=\"bye\">You are signed out. Your session has ended on every instance.</div>");
    }
    b.append("<form method=\"post\" action=\"/login\">")
        .append(Html.csrf(token))
        .append(
            "<label for=\"user\">Your name</label><input id=\"user\" name=\"user\" autofocus required")
        .append(" maxlength=\"32\" pattern=\"[A-Za-z0-9._\\-]{1,32}\" placeholder=\"alice\">")
        .append("<button class=\"big\" id=\"sign-in\">Sign in</button></form>")
        .append(
            "<p style=\"font-size:13px;color:#7b8794\">Any name will do: this is a demo of sessions, not of passwords.")
        .append(" Signing in gives your session a new id (against session fixation).</p></div>");
    html(
        resp,
        problem == null ? 200 : 400,
        Html.page("Sign in", ctx.name(), null, 0, 0, null, 0, b.toString()));
  }

  private void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    ActiveSession s = TetherSessionFilter.session(req, false);
    if (s == null) {
      toLogin(req, resp);
      return;
    }
    if (!ctx.manager().csrf().verify(s, token(req))) {
      forbidden(resp, s);
      return;
    }
    String user = req.getParameter("user");
    String problem = InstanceContext.badUser(user);
    if (problem != null) {
      loginPage(req, resp, problem);
      return;
    }
    ctx.login(req, user);
    redirect(resp, "/");
  }

  private void shop(HttpServletRequest req, HttpServletResponse resp, ActiveSession s)
      throws IOException {
    String token = ctx.manager().csrf().token(s);
    StringBuilder b = new StringBuilder("<div class=\"layout\"><section><h1>Products</h1>");
    String added = req.getParameter("added");
    Catalog.find(added)
        .ifPresent(
            p ->
                b.append("<div class=\"notice\" id=\"added\">Added <b>")
                    .append(Html.esc(p.name()))
                    .append("</b> to your cart. <a href=\"/cart\">View cart</a></div>"));
    b.append("<div class=\"grid\">");
    for (Catalog.Product p : Catalog.PRODUCTS) {
      b.append("<div class=\"card\"><div class=\"swatch\" style=\"background:")
          .append(p.colour())
          .append("\">")
          .append(Html.esc(p.name().substring(0, 1)))
          .append("</div><div class=\"body\"><h3>")
          .append(Html.esc(p.name()))
          .append("</h3><p>")
          .append(Html.esc(p.blurb()))
          .append("</p><span class=\"price\">")
          .append(Catalog.money(p.priceCents()))
          .append("</span>")
          .append("<form method=\"post\" action=\"/cart/add\">")
          .append(Html.csrf(token))
          .append("<input type=\"hidden\" name=\"sku\" value=\"")
          .append(p.sku())
          .append("\">")
          .append("<button id=\"add-")
          .append(p.sku())
          .append("\">Add to cart</button></form></div></div>");
    }
    b.append("</div></section><aside class=\"panel chat\"><h2>Chat room</h2>")
        .append(
            "<div class=\"status\" id=\"chat-status\">connecting…</div><div id=\"messages\"></div>")
        .append(
            "<form id=\"chat-form\"><input id=\"chat-text\" maxlength=\"500\" placeholder=\"Say hello\" autocomplete=\"off\">")
        .append("<button>Send</button></form></aside></div><script>")
        .append(CHAT)
        .append("</script>");
    page(resp, s, "Products", b.toString());
  }

  private void cart(HttpServletResponse resp, ActiveSession s) throws IOException {
    Cart cart = Cart.of(s);
    StringBuilder b = new StringBuilder("<h1>Your cart</h1><div class=\"panel\">");
    if (cart.isEmpty()) {
      b.append("<p id=\"empty\">Your cart is empty. <a href=\"/\">Browse products</a></p>");
    } else {
      b.append(
          "<table id=\"cart\"><tr><th>Product</th><th class=\"num\">Quantity</th><th class=\"num\">Price</th></tr>");
      for (Cart.Line l : cart.lines()) {
        b.append("<tr data-sku=\"")
            .append(l.product().sku())
            .append("\"><td>")
            .append(Html.esc(l.product().name()))
            .append("</td><td class=\"num\">")
            .append(l.quantity())
            .append("</td><td class=\"num\">")
            .append(Catalog.money(l.totalCents()))
            .append("</td></tr>");
      }
      b.append("<tr class=\"total\"><td>Total</td><td></td><td class=\"num\">")
          .append(Catalog.money(cart.totalCents()))
          .append(
              "</td></tr></table><form method=\"post\" action=\"/checkout\" style=\"margin-top:16px;text-align:right\">")
          .append(Html.csrf(ctx.manager().csrf().token(s)))
          .append("<button class=\"big\" id=\"checkout\">Check out</button></form>");
    }
    b.append(
            "<p style=\"font-size:13px;color:#7b8794\">This cart lives in your session, kept in the session store:")
        .append(" any instance can serve it. Cart version ")
        .append(cart.version())
        .append(".</p></div>");
    page(resp, s, "Cart", b.toString());
  }

  private void add(HttpServletRequest req, HttpServletResponse resp, ActiveSession s)
      throws IOException {
    String sku = req.getParameter("sku");
    if (Catalog.find(sku).isEmpty()) {
      page(
          resp,
          400,
          s,
          "Unknown product",
          "<div class=\"notice bad\">There is no product '"
              + Html.esc(String.valueOf(sku))
              + "'; choose one of "
              + Catalog.skus()
              + ". <a href=\"/\">Back</a></div>");
      return;
    }
    Cart.of(s).add(sku).store(s);
    redirect(resp, "/?added=" + sku);
  }

  private void checkout(HttpServletResponse resp, ActiveSession s) throws IOException {
    Cart cart = Cart.of(s);
    if (cart.isEmpty()) {
      redirect(resp, "/cart");
      return;
    }
    ctx.checkout(s, cart);
    redirect(resp, "/order");
  }

  private void order(HttpServletResponse resp, ActiveSession s) throws IOException {
    StringBuilder b = new StringBuilder("<h1>Thank you!</h1><div class=\"panel\">");
    if (s.attribute(InstanceContext.LAST_ORDER) instanceof Map<?, ?> o) {
      long total = o.get("totalCents") instanceof Number n ? n.longValue() : 0;
      b.append("<p id=\"order\">Order <b>#")
          .append(o.get("number"))
          .append("</b> is placed: ")
          .append(Catalog.money(total))
          .append(". Nothing will be shipped; it is a demo.</p>");
    } else {
      b.append("<p>No order yet.</p>");
    }
    b.append("<p><a href=\"/\">Continue shopping</a></p></div>");
    page(resp, s, "Order", b.toString());
  }

  private void extend(HttpServletRequest req, HttpServletResponse resp, ActiveSession s)
      throws IOException {
    s.setAttribute(
        "extendedAt", System.currentTimeMillis()); // a change, so the access is written now
    long left = ctx.manager().remaining(s).toSeconds();
    if (String.valueOf(req.getHeader("Accept")).contains("application/json")) {
      resp.setContentType("application/json");
      resp.getWriter()
          .write("{\"remainingSeconds\":" + left + ",\"instance\":\"" + ctx.name() + "\"}");
      return;
    }
    redirect(resp, "/");
  }

  private void logout(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    HttpSession http = req.getSession(false);
    if (http != null) {
      http.invalidate();
    }
    redirect(resp, "/login?bye=1");
  }

  private void forbidden(HttpServletResponse resp, ActiveSession s) throws IOException {
    String body =
        "<div class=\"panel\"><h1>This form is out of date</h1><p id=\"csrf\">It did not carry this"
            + " session's security token (CSRF), so nothing was changed. <a href=\"/\">Reload the shop</a> and try again.</p></div>";
    if (s.principal() != null) {
      page(resp, 403, s, "Forbidden", body);
    } else {
      html(resp, 403, Html.page("Forbidden", ctx.name(), null, 0, 0, null, 0, body));
    }
  }

  private void notFound(HttpServletResponse resp) throws IOException {
    html(
        resp,
        404,
        Html.page(
            "Not found",
            ctx.name(),
            null,
            0,
            0,
            null,
            0,
            "<div class=\"panel\"><h1>Not found</h1><p>There is no such page. <a href=\"/\">Go to the shop</a></p></div>"));
  }

  private void page(HttpServletResponse resp, ActiveSession s, String title, String body)
      throws IOException {
    page(resp, 200, s, title, body);
  }

  private void page(
      HttpServletResponse resp, int status, ActiveSession s, String title, String body)
      throws IOException {
    long left = ctx.manager().remaining(s).toSeconds();
    long warn = ctx.manager().policy().expiryWarning().toSeconds();
    html(
        resp,
        status,
        Html.page(
            title,
            ctx.name(),
            s.principal(),
            left,
            warn,
            ctx.manager().csrf().token(s),
            Cart.of(s).count(),
            body));
  }

  private static void html(HttpServletResponse resp, int status, String page) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/html");
    resp.setCharacterEncoding("UTF-8");
    resp.getWriter().write(page);
  }

  private static void redirect(HttpServletResponse resp, String to) {
    resp.setStatus(303);
    resp.setHeader("Location", to);
  }

  private static final String CHAT =
      """
      (function(){var list=document.getElementById('messages'),st=document.getElementById('chat-status'),
      form=document.getElementById('chat-form'),input=document.getElementById('chat-text'),ws,wait=500;
      function add(m){var d=document.createElement('div');d.className='msg'+(m.history?' old':'');
      var u=document.createElement('span');u.className='u';u.textContent=m.user+': ';d.appendChild(u);
      d.appendChild(document.createTextNode(m.text));var v=document.createElement('span');v.className='via';
      v.textContent='sent via '+m.origin+' · received on '+m.instance;d.appendChild(v);list.appendChild(d);
      list.scrollTop=list.scrollHeight}
      function connect(){ws=new WebSocket((location.protocol==='https:'?'wss://':'ws://')+location.host+'/ws/chat');
      ws.onopen=function(){list.textContent='';wait=500;st.textContent='connected'};
      ws.onmessage=function(e){var m=JSON.parse(e.data);if(m.error){st.textContent=m.error;return}
      st.textContent='connected to '+m.instance;add(m)};
      ws.onclose=function(e){if(e.code===1008){st.textContent='session ended';return}
      st.textContent='reconnecting…';setTimeout(connect,wait);wait=Math.min(wait*2,8000)}}
      form.addEventListener('submit',function(e){e.preventDefault();var t=input.value.trim();
      if(t&&ws&&ws.readyState===1){ws.send(JSON.stringify({text:t}));input.value=''}});connect()})();
      """;
}
