package dev.tether.bench.load.chaos;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Sends chaos actions to the balancer's admin API (blocking; called from the chaos thread, never
 * from an event loop).
 */
public final class AdminClient {

  /** What the admin API answered, or why it could not be asked ({@code status} 0). */
  public record Answer(int status, String body) {
    /** Whether the action was accepted (2xx). */
    public boolean ok() {
      return status >= 200 && status <= 299;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final URI base;
  private final String token;

  /**
   * @param base e.g. {@code http://127.0.0.1:9090}
   * @param token the bearer token, or {@code null} for none
   */
  public AdminClient(URI base, String token) {
    this.base = requireNonNull(base, "base");
    this.token = token;
  }

  /** The admin API's base address. */
  public URI base() {
    return base;
  }

  /** The request an action maps to: method POST, this path, this JSON body (or null). */
  public record Call(String path, String body) {}

  /** The admin call for {@code action} on {@code target} in {@code pool}. */
  public static Call callFor(ChaosAction action, String target, String pool) {
    return switch (action.verb()) {
      case KILL, KILL_SERVING -> new Call("/api/demo/instances/" + target + "/kill", null);
      case START, START_KILLED -> new Call("/api/demo/instances/" + target + "/start", null);
      case DRAIN, ENABLE, DISABLE ->
          new Call("/api/pools/" + pool + "/servers/" + target + "/" + action.verb().word(), null);
      case ADD ->
          action.address() == null
              ? new Call("/api/demo/instances", "{\"name\":\"" + target + "\"}")
              : new Call(
                  "/api/pools/" + pool + "/servers",
                  "{\"name\":\"" + target + "\",\"address\":\"" + action.address() + "\"}");
    };
  }

  /** POSTs {@code call}; a connection failure is an answer with status 0 and the reason. */
  public Answer post(Call call) throws InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(call.path()))
            .timeout(Duration.ofSeconds(10))
            .POST(
                call.body() == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(call.body()));
    if (call.body() != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body().strip());
    } catch (IOException e) {
      return new Answer(0, "admin API " + base + " unreachable: " + e);
    }
  }
}
