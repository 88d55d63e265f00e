package dev.tether.session.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tether.session.SessionManager;
import dev.tether.session.circuit.CircuitBreaker;
import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.metrics.SessionMetrics;
import dev.tether.session.servlet.SessionCookie;
import dev.tether.session.servlet.TetherSessionFilter;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The servlet filter in a real Jetty over a Redis store built from settings, with a real HTTP
 * client: while the test's own Redis is killed, requests that need their session get {@code 503}
 * with {@code Retry-After} and {@code Cache-Control: no-store}, requests that do not are served;
 * after Redis is restarted the same session is served again, with no restart of anything else.
 */
class RedisOutageFilterTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * The app: {@code /set?v=} writes the session, {@code /get} reads it, {@code /plain} never asks.
   */
  static final class App extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain");
      switch (req.getRequestURI()) {
        case "/set" -> {
          req.getSession().setAttribute("v", req.getParameter("v"));
          resp.getWriter().write("ok");
        }
        case "/get" -> {
          HttpSession s = req.getSession(false);
          resp.getWriter().write(s == null ? "none" : String.valueOf(s.getAttribute("v")));
        }
        default -> resp.getWriter().write("plain");
      }
    }
  }

  @Test
  void storeDownGives503WithRetryAfterAndServiceResumesAfter(@TempDir Path dir) throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger breakerLog = (Logger) LoggerFactory.getLogger(CircuitBreakingStore.class);
    Logger filterLog = (Logger) LoggerFactory.getLogger(TetherSessionFilter.class);
    breakerLog.addAppender(logs);
    filterLog.addAppender(logs);
    try (OwnRedis redis = new OwnRedis(dir)) {
      redis.start();
      SessionStore store =
          SessionStoreRegistry.create(
              "redis",
              Map.of(
                  "uri",
                  redis.uri(),
                  "timeout",
                  "500ms",
                  "connect-timeout",
                  "1s",
                  "circuit.cool-down",
                  "3s"),
              Clock.systemUTC());
      CircuitBreaker breaker = ((CircuitBreakingStore) store).breaker();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      SessionMetrics metrics = new SessionMetrics(meters).bindCircuitBreaker(breaker);
      SessionManager manager = SessionManager.builder(store).listener(metrics).build();
      TetherSessionFilter filter =
          TetherSessionFilter.builder(manager)
              .cookie(new SessionCookie("TSESSION", false, "Lax"))
              .build();
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler ctx = new ServletContextHandler();
      ctx.setContextPath("/");
      ctx.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
      ctx.addServlet(new ServletHolder(new App()), "/*");
      server.setHandler(ctx);
      server.start();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
      try {
        HttpResponse<String> set = get(http, base.resolve("/set?v=cart-1"), null);
        assertThat(set.statusCode()).isEqualTo(200);
        String cookie = set.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        assertThat(get(http, base.resolve("/get"), cookie).body()).isEqualTo("cart-1");

        redis.kill();
        // the first failures already answer 503; then the circuit opens and answers without I/O
        await("circuit open")
            .atMost(WAIT)
            .until(
                () -> {
                  get(http, base.resolve("/get"), cookie);
                  return breaker.state() == CircuitBreaker.State.OPEN;
                });
        HttpResponse<String> down = get(http, base.resolve("/get"), cookie);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("Retry-After"))
            .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 3L));
        assertThat(down.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(down.headers().firstValue("Content-Type"))
            .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(down.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(down.body()).contains("retry in");
        // a new visitor's first write is refused the same way, and gets no cookie
        HttpResponse<String> fresh = get(http, base.resolve("/set?v=x"), null);
        assertThat(fresh.statusCode()).isEqualTo(503);
        assertThat(fresh.headers().allValues("Set-Cookie")).isEmpty();
        // a request that never touches its session does not notice
        HttpResponse<String> plain = get(http, base.resolve("/plain"), cookie);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).isEqualTo("plain");
        assertThat(meters.get("tether.sessions.store.circuit.state").gauge().value())
            .isEqualTo(2.0);
        assertThat(
                meters
                    .get("tether.sessions.store.circuit.transitions")
                    .tag("to", "open")
                    .counter()
                    .count())
            .isGreaterThanOrEqualTo(1.0);

        redis.start();
        await("served again after the restart")
            .atMost(WAIT)
            .until(
                () -> {
                  HttpResponse<String> r = get(http, base.resolve("/get"), cookie);
                  return r.statusCode() == 200 && r.body().equals("cart-1");
                });
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(meters.get("tether.sessions.store.circuit.state").gauge().value())
            .isEqualTo(0.0);
        assertThat(
                meters
                    .get("tether.sessions.store.circuit.transitions")
                    .tag("to", "closed")
                    .counter()
                    .count())
            .isGreaterThanOrEqualTo(1.0);
        assertThat(get(http, base.resolve("/set?v=cart-2"), cookie).statusCode()).isEqualTo(200);
        assertThat(get(http, base.resolve("/get"), cookie).body()).isEqualTo("cart-2");

        // one WARN as the circuit opened, one INFO as it closed; the 503s themselves in a few
        // rate-limited lines (at most one per 10 s), not one per request
        List<ILoggingEvent> events = List.copyOf(logs.list);
        assertThat(events)
            .filteredOn(
                e ->
                    e.getLoggerName().equals(CircuitBreakingStore.class.getName())
                        && e.getLevel() == Level.WARN)
            .singleElement()
            .satisfies(
                e ->
                    assertThat(e.getFormattedMessage())
                        .startsWith("session store 'redis' unavailable: circuit opened after"));
        assertThat(events)
            .filteredOn(
                e ->
                    e.getLoggerName().equals(CircuitBreakingStore.class.getName())
                        && e.getLevel() == Level.INFO)
            .singleElement()
            .satisfies(
                e ->
                    assertThat(e.getFormattedMessage())
                        .startsWith("session store 'redis' available again"));
        assertThat(events)
            .filteredOn(e -> e.getLoggerName().equals(TetherSessionFilter.class.getName()))
            .isNotEmpty()
            .hasSizeLessThan(6)
            .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("answered 503"));
      } finally {
        breakerLog.detachAppender(logs);
        filterLog.detachAppender(logs);
        server.stop();
        store.close();
      }
    }
  }

  private static HttpResponse<String> get(HttpClient http, URI uri, String cookie)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
