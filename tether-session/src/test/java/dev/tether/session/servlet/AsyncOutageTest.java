package dev.tether.session.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tether.session.SessionManager;
import dev.tether.session.circuit.CircuitBreaker;
import dev.tether.session.circuit.CircuitBreakerSettings;
import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.circuit.StoreUnavailableException;
import dev.tether.session.memory.MemorySessionStore;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A request in an async cycle whose store becomes unavailable after the cycle started, in a real
 * Jetty 12 with a real HTTP client: whether the session is opened on the async thread, saved by the
 * first write, by {@code AsyncContext.complete()} or when the cycle times out, the client gets the
 * synchronous path's {@code 503} (same headers, body and log line), promptly, and never the
 * container's 500 or a hang. The store is really unavailable: its circuit breaker is opened (by
 * reporting backend failures to it) on the async thread, between the session's load and its save,
 * so every later store call is refused.
 */
class AsyncOutageTest {

  private static final Duration COOL_DOWN = Duration.ofMinutes(10);

  /** The async work: loads the session, then the store goes down, then the path's commit. */
  final class App extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (req.getRequestURI().equals("/set")) {
        req.getSession().setAttribute("cart", "tea");
        resp.getWriter().write("ok");
        return;
      }
      AsyncContext ctx = req.startAsync();
      ctx.setTimeout(req.getRequestURI().equals("/timeout") ? 300 : 30_000);
      worker.execute(
          () -> {
            HttpServletRequest r = (HttpServletRequest) ctx.getRequest();
            try {
              if (req.getRequestURI().equals("/open")) {
                storeDown();
                r.getSession().setAttribute("cart", "coffee");
                ctx.getResponse().getWriter().write("not reached");
                ctx.complete();
                return;
              }
              r.getSession().setAttribute("cart", "coffee");
              storeDown();
              switch (req.getRequestURI()) {
                case "/complete" -> ctx.complete();
                case "/write" -> {
                  ctx.getResponse().getWriter().write("app body");
                  ctx.getResponse().flushBuffer();
                  ctx.complete();
                }
                case "/timeout" -> {} // never completes: the container's timeout ends the cycle
                default -> throw new IllegalStateException(req.getRequestURI());
              }
            } catch (RuntimeException | IOException e) {
              seenByApp.set(e);
            }
          });
    }
  }

  private final ExecutorService worker = Executors.newFixedThreadPool(2);
  private final JettyApps apps = new JettyApps();
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<Throwable> seenByApp = new AtomicReference<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger filterLog = (Logger) LoggerFactory.getLogger(TetherSessionFilter.class);
  private CircuitBreaker breaker;
  private URI base;

  @BeforeEach
  void start() throws Exception {
    logs.start();
    filterLog.addAppender(logs);
    CircuitBreakingStore store =
        (CircuitBreakingStore)
            CircuitBreakingStore.wrap(
                new MemorySessionStore(Clock.systemUTC()),
                "memory",
                CircuitBreakerSettings.defaults().withFailures(1).withCoolDown(COOL_DOWN),
                Clock.systemUTC());
    breaker = store.breaker();
    base =
        apps.start(
            new TetherSessionFilter(
                SessionManager.builder(store).build(), SessionCookie.defaults().insecure()),
            new App());
  }

  @AfterEach
  void stop() throws Exception {
    filterLog.detachAppender(logs);
    apps.close();
    worker.shutdownNow();
    http.close();
  }

  /** The backend fails once, which opens the circuit (failures = 1) for the cool-down. */
  private void storeDown() {
    breaker.onFailure(breaker.acquire(), new IOException("connection refused (test outage)"));
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void aSaveAtCompleteThatMeetsTheOutageAnswers503() throws Exception {
    assertUnavailable(get("/complete", cookie()));
    assertThat(seenByApp.get()).as("complete() did its work: the 503 went out").isNull();
  }

  @Test
  void aSaveByTheFirstAsyncWriteAnswers503AndTheAppSeesTheOutage() throws Exception {
    HttpResponse<String> r = get("/write", cookie());
    assertUnavailable(r);
    assertThat(r.body()).doesNotContain("app body");
    await().atMost(Duration.ofSeconds(30)).until(() -> seenByApp.get() != null);
    assertThat(StoreUnavailableException.find(seenByApp.get())).isNotNull();
  }

  @Test
  void aSessionOpenedOnTheAsyncThreadWhileTheStoreIsDownAnswers503() throws Exception {
    HttpResponse<String> r = get("/open", cookie());
    assertUnavailable(r);
    assertThat(r.body()).doesNotContain("not reached");
    await().atMost(Duration.ofSeconds(30)).until(() -> seenByApp.get() != null);
    assertThat(seenByApp.get()).isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void aSaveWhenTheCycleTimesOutAnswers503NotTheContainers500() throws Exception {
    assertUnavailable(get("/timeout", cookie()));
  }

  @Test
  void theAsyncAnswerIsTheSynchronousOne() throws Exception {
    String cookie = cookie();
    storeDown();
    HttpResponse<String> sync = get("/set", cookie);
    assertUnavailable(sync);
    HttpResponse<String> async = get("/open", cookie);
    assertThat(async.statusCode()).isEqualTo(sync.statusCode());
    assertThat(async.body()).isEqualTo(sync.body());
    assertThat(async.headers().firstValue("Cache-Control"))
        .isEqualTo(sync.headers().firstValue("Cache-Control"));
    assertThat(async.headers().firstValue("Content-Type"))
        .isEqualTo(sync.headers().firstValue("Content-Type"));
  }

  /** A stored session's cookie, made while the store is up. */
  private String cookie() throws Exception {
    HttpResponse<String> r = get("/set", null);
    assertThat(r.statusCode()).isEqualTo(200);
    return JettyApps.cookieOf(r);
  }

  private void assertUnavailable(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After"))
        .hasValueSatisfying(
            v -> assertThat(Long.parseLong(v)).isBetween(1L, COOL_DOWN.toSeconds()));
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(r.body())
        .matches("Sessions are unavailable for a moment; please retry in [0-9]+ s\\.\n");
    // logged on the async thread just after the body, which may reach the client first
    await("the filter's log line").atMost(Duration.ofSeconds(30)).until(() -> !logs.list.isEmpty());
    List<ILoggingEvent> lines = List.copyOf(logs.list);
    assertThat(lines)
        .as("the filter's rate-limited line")
        .isNotEmpty()
        .allSatisfy(
            e ->
                assertThat(e.getFormattedMessage())
                    .startsWith("session store 'memory' unavailable since")
                    .contains("answered 503"));
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
