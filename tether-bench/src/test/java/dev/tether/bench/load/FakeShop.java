package dev.tether.bench.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo shop's JSON API in memory, as a test peer for the checker: {@link #handle} is callable
 * directly (unit tests) and {@link #serve} puts it on a JDK HttpServer on port 0. With {@code
 * forgetEvery = 100} every hundredth cart read answers an empty cart, as a store that lost it.
 */
final class FakeShop implements AutoCloseable {

  record Answer(int status, String body, String setCookie) {}

  private static final Pattern FIELD = Pattern.compile("\"(user|sku)\"\\s*:\\s*\"([^\"]*)\"");

  private record Cart(String user, List<String> items) {}

  private final Map<String, Cart> sessions = new ConcurrentHashMap<>();
  private final AtomicLong cartReads = new AtomicLong();
  private final String instance;
  volatile int forgetEvery;
  volatile boolean stall;

  /** As a balancer whose instance died: every answer is a 502. */
  volatile boolean down;

  final AtomicLong forgotten = new AtomicLong();
  private HttpServer server;

  FakeShop(String instance) {
    this.instance = instance;
  }

  Answer handle(String method, String path, String body, String session) {
    Cart cart = session == null ? null : sessions.get(session);
    if (method.equals("POST") && path.equals("/api/login")) {
      Matcher m = FIELD.matcher(body);
      if (!m.find() || !m.group(1).equals("user")) {
        return new Answer(400, "{\"error\":\"user missing\"}", null);
      }
      String id = UUID.randomUUID().toString();
      sessions.put(id, new Cart(m.group(2), new ArrayList<>()));
      return new Answer(
          200, "{\"user\":\"" + m.group(2) + "\"}", "SID=" + id + "; Path=/; HttpOnly");
    }
    if (cart == null) {
      return new Answer(401, "{\"error\":\"no session\"}", null);
    }
    switch (method + " " + path) {
      case "POST /api/cart/items" -> {
        Matcher m = FIELD.matcher(body);
        if (!m.find() || !m.group(1).equals("sku")) {
          return new Answer(400, "{\"error\":\"sku missing\"}", null);
        }
        synchronized (cart) {
          cart.items().add(m.group(2));
        }
        return new Answer(200, "{\"ok\":true}", null);
      }
      case "GET /api/cart" -> {
        int every = forgetEvery;
        if (every > 0 && cartReads.incrementAndGet() % every == 0) {
          forgotten.incrementAndGet();
          return new Answer(200, cartJson(cart.user(), List.of()), null);
        }
        synchronized (cart) {
          return new Answer(200, cartJson(cart.user(), cart.items()), null);
        }
      }
      case "POST /api/checkout" -> {
        synchronized (cart) {
          cart.items().clear();
        }
        return new Answer(200, "{\"ok\":true}", null);
      }
      case "POST /api/logout" -> {
        sessions.remove(session);
        return new Answer(200, "{\"ok\":true}", "SID=; Max-Age=0; Path=/");
      }
      default -> {
        return new Answer(404, "{\"error\":\"no such endpoint\"}", null);
      }
    }
  }

  private String cartJson(String user, List<String> items) {
    StringBuilder b =
        new StringBuilder(
            "{\"instance\":\"" + instance + "\",\"user\":\"" + user + "\",\"items\":[");
    for (int i = 0; i < items.size(); i++) {
      b.append(i == 0 ? "" : ",").append('"').append(items.get(i)).append('"');
    }
    return b.append("],\"version\":").append(items.size()).append('}').toString();
  }

  /** Serves on 127.0.0.1, port 0; returns the port. */
  int serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::exchange);
    server.start();
    return server.getAddress().getPort();
  }

  private void exchange(HttpExchange ex) throws IOException {
    if (stall) {
      // the stall switch: this answer comes a second late, from a timer (the exchange stays open)
      java.util.concurrent.CompletableFuture.delayedExecutor(
              1, java.util.concurrent.TimeUnit.SECONDS)
          .execute(
              () -> {
                try {
                  answer(ex);
                } catch (IOException e) {
                  ex.close();
                }
              });
      return;
    }
    answer(ex);
  }

  private void answer(HttpExchange ex) throws IOException {
    try (ex) {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (down) {
        byte[] out = "{\"error\":\"instance down\"}".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(502, out.length);
        ex.getResponseBody().write(out);
        return;
      }
      String cookie = ex.getRequestHeaders().getFirst("Cookie");
      String session = null;
      if (cookie != null) {
        for (String c : cookie.split(";\\s*")) {
          if (c.startsWith("SID=")) {
            session = c.substring(4);
          }
        }
      }
      Answer a = handle(ex.getRequestMethod(), ex.getRequestURI().getPath(), body, session);
      byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.getResponseHeaders().set("X-Tether-Instance", instance);
      if (a.setCookie() != null) {
        ex.getResponseHeaders().add("Set-Cookie", a.setCookie());
      }
      ex.sendResponseHeaders(a.status(), out.length);
      ex.getResponseBody().write(out);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
  }
}
