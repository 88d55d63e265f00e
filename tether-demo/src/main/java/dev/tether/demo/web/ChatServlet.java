package dev.tether.demo.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.demo.chat.Resume;
import dev.tether.session.ActiveSession;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServlet;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServletFactory;

/**
 * {@code /ws/chat}: the chat room over WebSocket, for signed-in users only. The handshake is
 * refused with 401 (JSON) without a live signed-in session, and with 403 when the browser says it
 * comes from another origin ({@code Origin} not matching {@code Host}, cross-site WebSocket
 * hijacking: the session cookie would otherwise ride along). The frames are {@link ChatSocket}'s.
 * Behind Tether with {@code websocket: managed}, the handshake carries the connection's id, and on
 * a resume what the client has received, so the chat continues where it was cut.
 */
final class ChatServlet extends JettyWebSocketServlet {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER = ChatServlet.class.getName() + ".user";
  private static final String SESSION = ChatServlet.class.getName() + ".session";

  /** Set by the balancer for a managed WebSocket (clients cannot set them through it). */
  static final String CONNECTION_ID = "Tether-WebSocket-Id";

  static final String RESUME = "Tether-WebSocket-Resume";

  private final transient InstanceContext ctx;

  ChatServlet(InstanceContext ctx) {
    this.ctx = ctx;
  }

  @Override
  protected void configure(JettyWebSocketServletFactory factory) {
    factory.setIdleTimeout(Duration.ofMinutes(10));
    factory.setMaxTextMessageSize(8 * 1024);
    factory.setCreator(
        (req, resp) ->
            new ChatSocket(
                ctx,
                (String) req.getHttpServletRequest().getAttribute(USER),
                (String) req.getHttpServletRequest().getAttribute(SESSION),
                Resume.id(req.getHeader(CONNECTION_ID)),
                Resume.parse(req.getHeader(RESUME))));
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp)
      throws ServletException, IOException {
    if (!sameOrigin(req)) {
      refuse(
          resp,
          403,
          "cross-origin WebSocket refused: Origin "
              + req.getHeader("Origin")
              + " is not this site");
      return;
    }
    ActiveSession s = InstanceContext.member(req);
    if (s == null) {
      refuse(resp, 401, "sign in first: the chat is for signed-in sessions only");
      return;
    }
    req.setAttribute(USER, s.principal());
    req.setAttribute(SESSION, s.id());
    super.service(req, resp);
  }

  private static boolean sameOrigin(HttpServletRequest req) {
    String origin = req.getHeader("Origin");
    if (origin == null) {
      return true; // not a browser: no ambient cookie risk beyond what the client chose to send
    }
    String host = req.getHeader("X-Forwarded-Host");
    if (host == null) {
      host = req.getHeader("Host");
    }
    try {
      URI o = URI.create(origin);
      String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
      return host != null && host.equalsIgnoreCase(authority);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void refuse(HttpServletResponse resp, int status, String message)
      throws IOException {
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.getWriter().write(JSON.createObjectNode().put("error", message).toString());
  }
}
