package dev.tether.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One user with one session cookie that they present to whichever instance they talk to, as a
 * balancer moving them between instances would: the real JDK HTTP client, with the cookie kept by
 * hand (so which instance gets it is explicit).
 */
final class Shopper implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SET = Pattern.compile("^TSESSION=([^;]*)(.*)$");
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  String cookie;

  HttpResponse<String> get(DemoInstance at, String path) {
    return send(at, HttpRequest.newBuilder(uri(at, path)).GET());
  }

  HttpResponse<String> postJson(DemoInstance at, String path, String json) {
    return send(
        at,
        HttpRequest.newBuilder(uri(at, path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  HttpResponse<String> postForm(DemoInstance at, String path, String form) {
    return send(
        at,
        HttpRequest.newBuilder(uri(at, path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  HttpResponse<String> send(DemoInstance at, HttpRequest.Builder b) {
    if (cookie != null) {
      b.header("Cookie", "TSESSION=" + cookie);
    }
    try {
      HttpResponse<String> r =
          http.send(
              b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      for (String c : r.headers().allValues("set-cookie")) {
        Matcher m = SET.matcher(c);
        if (m.matches()) {
          cookie = m.group(2).contains("Max-Age=0") ? null : m.group(1);
        }
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Logs in through the JSON API. */
  JsonNode login(DemoInstance at, String user) {
    return json(postJson(at, "/api/login", "{\"user\": \"" + user + "\"}"));
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(r.statusCode() + " " + r.body(), e);
    }
  }

  static String csrf(String page) {
    Matcher m = CSRF.matcher(page);
    if (!m.find()) {
      throw new AssertionError("no CSRF field in the page");
    }
    return m.group(1);
  }

  static URI uri(DemoInstance at, String path) {
    return URI.create("http://" + at.address() + path);
  }

  /** Opens the chat socket on {@code at} with this shopper's cookie. */
  Chat chat(DemoInstance at) {
    Chat chat = new Chat();
    WebSocket.Builder b = http.newWebSocketBuilder();
    if (cookie != null) {
      b.header("Cookie", "TSESSION=" + cookie);
    }
    chat.socket = b.buildAsync(URI.create("ws://" + at.address() + "/ws/chat"), chat).join();
    return chat;
  }

  /** A chat socket collecting the frames it receives. */
  static final class Chat implements WebSocket.Listener, AutoCloseable {
    final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          received.add(JSON.readTree(partial.toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    void say(String text) {
      socket.sendText(JSON.createObjectNode().put("text", text).toString(), true).join();
    }

    /**
     * Waits until the server has joined this socket to the room: the client's handshake completes
     * before the server's open callback has run, so a message sent by someone else at once could
     * otherwise arrive as backlog. A frame the server refuses is answered after the join.
     */
    Chat ready() {
      socket.sendText("{}", true).join();
      JsonNode n = next();
      if (!n.has("error")) {
        throw new AssertionError("expected the refusal of an empty frame, got " + n);
      }
      return this;
    }

    /** The next frame, waiting up to 15 s. */
    JsonNode next() {
      try {
        JsonNode n = received.poll(15, TimeUnit.SECONDS);
        if (n == null) {
          throw new AssertionError("no chat frame within 15 s");
        }
        return n;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    List<JsonNode> next(int n) {
      return java.util.stream.IntStream.range(0, n).mapToObj(i -> next()).toList();
    }

    @Override
    public void close() {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(t -> null);
      socket.abort();
    }
  }

  /** Opens a socket expecting the handshake to fail; returns the failure. */
  Throwable refusedChat(DemoInstance at, String origin) {
    WebSocket.Builder b = http.newWebSocketBuilder();
    if (cookie != null) {
      b.header("Cookie", "TSESSION=" + cookie);
    }
    if (origin != null) {
      b.header("Origin", origin);
    }
    CompletableFuture<WebSocket> f =
        b.buildAsync(URI.create("ws://" + at.address() + "/ws/chat"), new WebSocket.Listener() {});
    try {
      WebSocket ws = f.join();
      ws.abort();
      return null;
    } catch (java.util.concurrent.CompletionException e) {
      return e.getCause();
    }
  }

  @Override
  public void close() {
    http.close();
  }
}
