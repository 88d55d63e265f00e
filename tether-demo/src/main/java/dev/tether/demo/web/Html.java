package dev.tether.demo.web;

/**
 * The pages' common frame: inline CSS, a header naming the serving instance, the user and the
 * session's remaining lifetime (counted down in the page, with a "stay signed in" warning near the
 * end), and a little plain JavaScript. Nothing is loaded from anywhere else.
 */
final class Html {

  private Html() {}

  /** {@code s} safe inside HTML text and double-quoted attributes. */
  /** The shop's icon inline, so a browser asks the instances for no {@code /favicon.ico}. */
  private static final String FAVICON =
      "<link rel=\"icon\" href=\"data:image/svg+xml,"
          + "%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
          + "%3Crect width='16' height='16' rx='4' fill='%231f2933'/%3E"
          + "%3Ccircle cx='8' cy='8' r='4' fill='none' stroke='%23f2cc8f' stroke-width='2'/%3E%3C/svg%3E\">";

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A hidden CSRF field for a form. */
  static String csrf(String token) {
    return "<input type=\"hidden\" name=\"_csrf\" value=\"" + esc(token) + "\">";
  }

  /**
   * A whole page.
   *
   * @param user the logged-in user, or {@code null} (then no session bar)
   * @param remainingSeconds the session's time left, for the countdown
   * @param warningSeconds when the "stay signed in" warning appears
   * @param csrf the session's CSRF token, or {@code null}
   */
  static String page(
      String title,
      String instance,
      String user,
      long remainingSeconds,
      long warningSeconds,
      String csrf,
      int cartCount,
      String body) {
    StringBuilder b = new StringBuilder(8192);
    b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append(FAVICON)
        .append("<title>")
        .append(esc(title))
        .append(" · Tether shop</title><style>")
        .append(CSS)
        .append("</style></head><body");
    if (user != null) {
      b.append(" data-remaining=\"")
          .append(remainingSeconds)
          .append("\" data-warning=\"")
          .append(warningSeconds)
          .append("\" data-csrf=\"")
          .append(esc(csrf))
          .append('"');
    }
    b.append("><header><a class=\"brand\" href=\"/\"><span class=\"knot\">⟲</span> Tether shop</a>")
        .append(
            "<span class=\"instance\" title=\"the application instance that served this page\">served by <b id=\"instance\">")
        .append(esc(instance))
        .append("</b></span><nav>");
    if (user != null) {
      b.append(
              "<a href=\"/\">Products</a><a href=\"/cart\">Cart <span class=\"count\" id=\"cart-count\">")
          .append(cartCount)
          .append("</span></a>")
          .append("<span class=\"who\">")
          .append(esc(user))
          .append("</span>")
          .append(
              "<span class=\"timer\" title=\"time left in this session\">session <span id=\"remaining\">")
          .append(clock(remainingSeconds))
          .append("</span></span>")
          .append("<form method=\"post\" action=\"/logout\" class=\"inline\">")
          .append(csrf(csrf))
          .append("<button class=\"link\" id=\"logout\">Log out</button></form>");
    }
    b.append("</nav></header>");
    if (user != null) {
      b.append(
              "<div id=\"warning\" class=\"warning\" hidden>Your session ends in <b id=\"warning-left\"></b>.")
          .append(
              " <form method=\"post\" action=\"/session/extend\" class=\"inline\" id=\"extend-form\">")
          .append(csrf(csrf))
          .append("<button id=\"extend\">Stay signed in</button></form></div>");
    }
    b.append("<main>")
        .append(body)
        .append("</main><footer>Sessions by tether-session · instance ")
        .append(esc(instance))
        .append("</footer>");
    if (user != null) {
      b.append("<script>").append(TIMER).append("</script>");
    }
    b.append("</body></html>");
    return b.toString();
  }

  static String clock(long seconds) {
    long h = seconds / 3600;
    long m = seconds % 3600 / 60;
    long s = seconds % 60;
    return h > 0 ? String.format("%d:%02d:%02d", h, m, s) : String.format("%d:%02d", m, s);
  }

  private static final String CSS =
      """
      *{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
      color:#1f2933;background:#f5f3ef}a{color:#3d5a80}header{display:flex;align-items:center;gap:18px;
      padding:12px 28px;background:#1f2933;color:#f5f3ef}header a{color:#f5f3ef;text-decoration:none}
      .brand{font-weight:700;font-size:18px;letter-spacing:.3px}.knot{color:#f2cc8f}
      .instance{background:#f2cc8f;color:#1f2933;border-radius:999px;padding:2px 12px;font-size:13px}
      nav{margin-left:auto;display:flex;align-items:center;gap:16px}nav .who{opacity:.8}
      .count{background:#e07a5f;border-radius:999px;padding:0 7px;font-size:12px;margin-left:2px}
      .timer{font-variant-numeric:tabular-nums;opacity:.85}.inline{display:inline;margin:0}
      button{font:inherit;border:0;border-radius:8px;padding:8px 16px;background:#3d5a80;color:#fff;cursor:pointer}
      button:hover{filter:brightness(1.1)}button.link{background:none;color:#f5f3ef;padding:0;text-decoration:underline}
      button.big{padding:12px 24px;font-size:16px;background:#e07a5f}
      main{max-width:1100px;margin:28px auto;padding:0 24px}h1{font-size:26px;margin:0 0 18px}
      .layout{display:grid;grid-template-columns:1fr 320px;gap:24px}@media(max-width:860px){.layout{grid-template-columns:1fr}}
      .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:16px}
      .card{background:#fff;border-radius:14px;box-shadow:0 1px 3px #0001,0 6px 18px #0000000a;overflow:hidden;display:flex;flex-direction:column}
      .swatch{height:92px;display:flex;align-items:center;justify-content:center;font-size:34px;color:#fff;font-weight:700}
      .card .body{padding:12px 14px;display:flex;flex-direction:column;gap:6px;flex:1}.card h3{margin:0;font-size:16px}
      .card p{margin:0;font-size:13px;color:#52606d;flex:1}.price{font-weight:700}
      .panel{background:#fff;border-radius:14px;box-shadow:0 1px 3px #0001;padding:18px}
      table{width:100%;border-collapse:collapse}td,th{padding:10px 6px;border-bottom:1px solid #eee;text-align:left}
      td.num,th.num{text-align:right}.total td{font-weight:700;border:0}
      .notice{background:#fff;border-left:4px solid #81b29a;padding:10px 14px;border-radius:8px;margin-bottom:16px}
      .notice.bad{border-color:#e07a5f}
      .warning{position:sticky;top:0;background:#e07a5f;color:#fff;padding:10px 28px;display:flex;gap:14px;align-items:center}
      .warning[hidden]{display:none}.warning button{background:#fff;color:#e07a5f;font-weight:700}
      .login{max-width:380px;margin:60px auto}.login input{width:100%;font:inherit;padding:10px 12px;border:1px solid #cbd2d9;border-radius:8px;margin:6px 0 14px}
      .chat h2{margin:0 0 8px;font-size:17px}#messages{height:330px;overflow-y:auto;display:flex;flex-direction:column;gap:6px;margin-bottom:10px}
      .msg{background:#f5f3ef;border-radius:10px;padding:6px 10px;font-size:14px}.msg .u{font-weight:700}
      .msg .via{display:block;font-size:11px;color:#7b8794}.msg.old{opacity:.65}
      .chat form{display:flex;gap:8px}.chat input{flex:1;font:inherit;padding:8px 10px;border:1px solid #cbd2d9;border-radius:8px}
      .status{font-size:12px;color:#7b8794;margin-bottom:6px}
      footer{text-align:center;color:#9aa5b1;font-size:12px;margin:40px 0 24px}
      """;

  private static final String TIMER =
      """
      (function(){var b=document.body,left=+b.dataset.remaining,warn=+b.dataset.warning,csrf=b.dataset.csrf;
      var until=Date.now()+left*1000,el=document.getElementById('remaining'),w=document.getElementById('warning'),
      wl=document.getElementById('warning-left');
      function fmt(s){var m=Math.floor(s/60),r=s%60,h=Math.floor(m/60);m=m%60;
      return (h?h+':'+(m<10?'0':''):'')+m+':'+(r<10?'0':'')+r}
      function tick(){var s=Math.max(0,Math.round((until-Date.now())/1000));el.textContent=fmt(s);
      if(s<=warn){w.hidden=false;wl.textContent=fmt(s)}else{w.hidden=true}
      // a second and a half past the end, so this visit is not the access that keeps it alive
      if(Date.now()-until>1500&&!gone){gone=true;location.href='/cart'}}var gone=false;
      document.getElementById('extend-form').addEventListener('submit',function(e){e.preventDefault();
      fetch('/session/extend',{method:'POST',headers:{'X-CSRF-Token':csrf,'Accept':'application/json'}})
      .then(function(r){if(r.status!==200){location.href='/cart';throw 0}return r.json()})
      .then(function(j){until=Date.now()+j.remainingSeconds*1000;document.getElementById('instance').textContent=j.instance;tick()})
      .catch(function(){})});tick();setInterval(tick,1000)})();
      """;
}
