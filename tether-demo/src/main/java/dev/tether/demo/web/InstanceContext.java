package dev.tether.demo.web;

import static java.util.Objects.requireNonNull;

import dev.tether.demo.chat.ChatRoom;
import dev.tether.session.ActiveSession;
import dev.tether.session.SessionManager;
import dev.tether.session.servlet.TetherSessionFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.regex.Pattern;

/**
 * What the servlets of one instance share: its name, its session manager and its chat room; and the
 * rules both the pages and the JSON API follow (who is logged in, how to log in).
 */
record InstanceContext(String name, SessionManager manager, ChatRoom room) {

  /** Response header naming the instance that served a response. */
  static final String INSTANCE_HEADER = "X-Tether-Instance";

  static final String LAST_ORDER = "lastOrder";
  static final String ORDERS = "orders";

  private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{1,32}");

  InstanceContext {
    requireNonNull(name, "name");
    requireNonNull(manager, "manager");
    requireNonNull(room, "room");
  }

  /** The session of a logged-in user, or {@code null}. */
  static ActiveSession member(HttpServletRequest req) {
    ActiveSession s = TetherSessionFilter.session(req, false);
    return s != null && s.principal() != null ? s : null;
  }

  /**
   * Whether the request presented a session cookie whose session is gone (expired, logged out, or
   * lost with its instance), as opposed to never having had one or having an anonymous one.
   */
  static boolean sessionEnded(HttpServletRequest req) {
    return req.getRequestedSessionId() != null && TetherSessionFilter.session(req, false) == null;
  }

  /** Why {@code user} is not an acceptable user name, or {@code null} when it is. */
  static String badUser(String user) {
    if (user != null && USER.matcher(user).matches()) {
      return null;
    }
    String shown =
        user == null
            ? "nothing"
            : "'" + (user.length() > 40 ? user.substring(0, 40) + "…" : user) + "'";
    return "user must be 1 to 32 letters, digits, '.', '_' or '-'; got " + shown;
  }

  /**
   * Logs {@code user} in on the request's session (created if there is none): the library's login
   * sets the principal and rotates the id. Another user's cart does not carry over.
   */
  ActiveSession login(HttpServletRequest req, String user) {
    ActiveSession s = TetherSessionFilter.session(req, true);
    if (s.principal() != null && !s.principal().equals(user)) {
      s.removeAttribute(Cart.ATTRIBUTE);
      s.removeAttribute(LAST_ORDER);
      s.removeAttribute(ORDERS);
    }
    manager.authentication().login(s, user);
    return s;
  }

  /** Places the order for {@code s}'s cart, empties the cart and returns the order number. */
  long checkout(ActiveSession s, Cart cart) {
    long number = (s.attribute(ORDERS) instanceof Number n ? n.longValue() : 0) + 1;
    s.setAttribute(ORDERS, number);
    java.util.Map<String, Object> order = new java.util.LinkedHashMap<>();
    order.put("number", number);
    order.put("items", new java.util.LinkedHashMap<>(cart.items()));
    order.put("totalCents", cart.totalCents());
    s.setAttribute(LAST_ORDER, order);
    cart.emptied().store(s);
    return number;
  }
}
