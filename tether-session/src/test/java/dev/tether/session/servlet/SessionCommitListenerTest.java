package dev.tether.session.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.SessionManager;
import dev.tether.session.memory.MemorySessionStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A {@link SessionCommitListener} hears of each save, after it, while headers can be set. */
class SessionCommitListenerTest {

  private final SessionManager manager =
      SessionManager.builder(new MemorySessionStore(Clock.systemUTC())).build();
  private final AtomicInteger calls = new AtomicInteger();
  private final JettyApps apps = new JettyApps();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() throws Exception {
    apps.close();
    http.close();
  }

  @Test
  void theListenerRunsAfterTheSaveBeforeTheResponseCommits() throws Exception {
    SessionCommitListener listener =
        (session, request, response) -> {
          calls.incrementAndGet();
          // what the store holds now: the save happened before this call
          String stored =
              manager
                  .store()
                  .load(session.id())
                  .map(r -> r.attributes().containsKey("cart") ? "cart" : "none")
                  .orElse("absent");
          response.setHeader("X-Stored", stored);
        };
    TetherSessionFilter filter =
        TetherSessionFilter.builder(manager)
            .cookie(SessionCookie.defaults().insecure())
            .listener(listener)
            .build();
    URI base = apps.start(filter, new App());

    HttpResponse<String> set = get(base.resolve("/set"), null);
    assertThat(set.body()).isEqualTo("ok");
    assertThat(set.headers().firstValue("X-Stored")).contains("cart");
    // before the first write, and at the end of the request, where "ok" is still in Jetty's buffer
    assertThat(calls).hasValue(2);

    HttpResponse<String> none = get(base.resolve("/nothing"), null);
    assertThat(none.headers().firstValue("X-Stored")).isEmpty();

    String cookie = JettyApps.cookieOf(set);
    HttpResponse<String> logout = get(base.resolve("/logout"), cookie);
    assertThat(logout.body()).isEqualTo("bye");
    assertThat(logout.headers().firstValue("X-Stored"))
        .as("no call for an ended session")
        .isEmpty();
    assertThat(calls).hasValue(2);
  }

  private HttpResponse<String> get(URI uri, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static final class App extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      switch (req.getRequestURI()) {
        case "/set" -> {
          req.getSession().setAttribute("cart", "two-items");
          resp.getWriter().write("ok");
        }
        case "/logout" -> {
          HttpSession s = req.getSession(false);
          s.invalidate();
          resp.getWriter().write("bye");
        }
        default -> resp.getWriter().write("static");
      }
    }
  }
}
