package dev.tether.session.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.session.ActiveSession;
import dev.tether.session.SessionManager;
import dev.tether.session.memory.MemorySessionStore;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session changes made by async work after the filter chain returned are saved, in a real Jetty 12
 * (two app instances sharing one store) with a real HTTP client on loopback port 0.
 */
class AsyncSessionTest {

  /** Servlets whose session work happens on another thread, after {@code service} returned. */
  static final class App extends HttpServlet {
    private final ExecutorService worker;
    private final CountDownLatch release;

    App(ExecutorService worker, CountDownLatch release) {
      this.worker = worker;
      this.release = release;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String k = req.getParameter("k");
      String v = req.getParameter("v");
      switch (req.getRequestURI()) {
        case "/get" -> {
          var s = req.getSession(false);
          resp.getWriter().write(s == null ? "no-session" : String.valueOf(s.getAttribute(k)));
        }
        case "/async-set" -> {
          AsyncContext ctx = req.startAsync();
          worker.execute(
              () -> {
                ((HttpServletRequest) ctx.getRequest()).getSession().setAttribute(k, v);
                write(ctx, "done");
                ctx.complete();
              });
        }
        case "/async-quiet" -> {
          AsyncContext ctx = req.startAsync();
          worker.execute(
              () -> {
                ((HttpServletRequest) ctx.getRequest()).getSession().setAttribute(k, v);
                ctx.complete();
              });
        }
        case "/async-after-body" -> {
          AsyncContext ctx = req.startAsync();
          worker.execute(
              () -> {
                write(ctx, "early");
                flush(ctx);
                ((HttpServletRequest) ctx.getRequest()).getSession().setAttribute(k, v);
                ctx.complete();
              });
        }
        case "/async-stream" -> {
          AsyncContext ctx = req.startAsync();
          ctx.setTimeout(30_000);
          worker.execute(
              () -> {
                ((HttpServletRequest) ctx.getRequest()).getSession().setAttribute(k, v);
                write(ctx, "first part");
                flush(ctx);
                awaitRelease();
                write(ctx, ", last part");
                ctx.complete();
              });
        }
        case "/async-timeout" -> {
          AsyncContext ctx = req.startAsync();
          ctx.setTimeout(200);
          worker.execute(
              () -> ((HttpServletRequest) ctx.getRequest()).getSession().setAttribute(k, v));
        }
        case "/async-unwrapped" -> {
          ServletRequest raw = ((HttpServletRequestWrapper) req).getRequest();
          AsyncContext ctx = raw.startAsync();
          worker.execute(
              () -> {
                ActiveSession s = TetherSessionFilter.session(ctx.getRequest(), false);
                s.setAttribute(k, v);
                ctx.complete();
              });
        }
        default -> resp.sendError(404);
      }
    }

    private void awaitRelease() {
      try {
        if (!release.await(20, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released the stream");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    private static void write(AsyncContext ctx, String text) {
      try {
        ctx.getResponse().getWriter().write(text);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static void flush(AsyncContext ctx) {
      try {
        ctx.getResponse().flushBuffer();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final MemorySessionStore store = new MemorySessionStore(Clock.systemUTC());
  private final ExecutorService worker = Executors.newFixedThreadPool(2);
  private final CountDownLatch release = new CountDownLatch(1);
  private final JettyApps apps = new JettyApps();
  private final HttpClient http = HttpClient.newHttpClient();
  private URI a;
  private URI b;

  @BeforeEach
  void start() throws Exception {
    a = start(SessionManager.builder(store).build());
    b = start(SessionManager.builder(store.peer(Clock.systemUTC())).build());
  }

  private URI start(SessionManager m) throws Exception {
    return apps.start(
        new TetherSessionFilter(m, SessionCookie.defaults().insecure()), new App(worker, release));
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    apps.close();
    worker.shutdownNow();
    http.close();
  }

  private HttpResponse<String> get(URI base, String pathAndQuery, String cookie) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(pathAndQuery));
    if (cookie != null) {
      r.header("Cookie", cookie);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSessionCreatedByAsyncWorkIsSavedWithItsCookie() throws Exception {
    HttpResponse<String> r = get(a, "/async-set?k=cart&v=tea", null);

    assertThat(r.body()).isEqualTo("done");
    assertThat(get(b, "/get?k=cart", JettyApps.cookieOf(r)).body()).isEqualTo("tea");
  }

  @Test
  void changesOfAnExistingSessionAreSavedAtComplete() throws Exception {
    String cookie = JettyApps.cookieOf(get(a, "/async-set?k=cart&v=tea", null));

    HttpResponse<String> quiet = get(a, "/async-quiet?k=cart&v=coffee", cookie);
    assertThat(quiet.statusCode()).isEqualTo(200);
    assertThat(get(b, "/get?k=cart", cookie).body())
        .as("no body written: saved by complete()")
        .isEqualTo("coffee");

    assertThat(get(a, "/async-after-body?k=cart&v=cocoa", cookie).body()).isEqualTo("early");
    assertThat(get(b, "/get?k=cart", cookie).body())
        .as("set after the response committed")
        .isEqualTo("cocoa");
  }

  @Test
  void theAsyncResponseSavesTheSessionBeforeItsFirstByte() throws Exception {
    HttpResponse<InputStream> streaming =
        http.send(
            HttpRequest.newBuilder(a.resolve("/async-stream?k=cart&v=tea")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    String cookie = JettyApps.cookieOf(streaming);

    assertThat(get(b, "/get?k=cart", cookie).body())
        .as("while the response is still open")
        .isEqualTo("tea");
    release.countDown();
    try (InputStream body = streaming.body()) {
      assertThat(new String(body.readAllBytes())).isEqualTo("first part, last part");
    }
  }

  @Test
  void changesBeforeAnAsyncTimeoutAreSaved() throws Exception {
    String cookie = JettyApps.cookieOf(get(a, "/async-set?k=cart&v=tea", null));

    HttpResponse<String> timedOut = get(a, "/async-timeout?k=cart&v=coffee", cookie);

    assertThat(timedOut.statusCode()).isEqualTo(500);
    assertThat(get(b, "/get?k=cart", cookie).body()).isEqualTo("coffee");
  }

  @Test
  void asyncStartedOnTheUnwrappedRequestIsSavedWhenItCompletes() throws Exception {
    String cookie = JettyApps.cookieOf(get(a, "/async-set?k=cart&v=tea", null));

    assertThat(get(a, "/async-unwrapped?k=cart&v=coffee", cookie).statusCode()).isEqualTo(200);

    // saved by the filter's AsyncListener at completion, which may run just after the response
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(get(b, "/get?k=cart", cookie).body()).isEqualTo("coffee"));
  }
}
