package dev.tether.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP backend on a loopback port 0 whose {@code /health} answer (status, headers, body) a
 * test sets, and which records every health request's method and {@code Host}. Any other path
 * answers 200 with the backend's name as body and counts the request.
 */
final class HealthBackend implements AutoCloseable {

  /** One health request as received. */
  record Probe(String method, String host) {}

  /** What {@code /health} answers. */
  record Answer(int status, Map<String, String> headers, String body) {}

  private final String name;
  private final HttpServer http;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicReference<Answer> health =
      new AtomicReference<>(new Answer(200, Map.of(), "OK"));
  private final List<Probe> probes = new CopyOnWriteArrayList<>();
  private final AtomicLong served = new AtomicLong();

  private HealthBackend(String name) throws IOException {
    this.name = name;
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    http.setExecutor(executor);
    http.createContext("/", this::handle);
    http.start();
  }

  static HealthBackend start(String name) throws IOException {
    return new HealthBackend(name);
  }

  String name() {
    return name;
  }

  int port() {
    return http.getAddress().getPort();
  }

  /** Sets what {@code /health} answers from now on. */
  void health(int status, Map<String, String> headers, String body) {
    health.set(new Answer(status, headers, body));
  }

  List<Probe> probes() {
    return List.copyOf(probes);
  }

  /** Requests served on paths other than {@code /health}. */
  long served() {
    return served.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/health")) {
        probes.add(new Probe(ex.getRequestMethod(), ex.getRequestHeaders().getFirst("Host")));
        Answer a = health.get();
        a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        boolean noBody = ex.getRequestMethod().equals("HEAD") || body.length == 0;
        ex.sendResponseHeaders(a.status(), noBody ? -1 : body.length);
        if (!noBody) {
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        }
        return;
      }
      served.incrementAndGet();
      byte[] body = name.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    http.stop(0);
    executor.close();
  }
}
