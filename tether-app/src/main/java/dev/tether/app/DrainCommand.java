package dev.tether.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.proxy.config.DrainConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether drain POOL SERVER [--wait] [--deadline 10m] [--admin URL] [--token-env VAR]}:
 * starts draining a server through the admin API and, with {@code --wait}, polls {@code GET
 * .../drain} until it is done, printing a line whenever what is left changes.
 *
 * <p>Exit codes: 0 the drain started (without {@code --wait}) or is done; 1 the deadline passed, or
 * the server stopped draining, before it was done; 2 bad input, an unreachable admin API, or a
 * refusal (unknown pool or server, missing or wrong token), with a message saying which.
 */
@Command(
    name = "drain",
    description =
        "Drain a server: it keeps its sessions, takes no new ones; with --wait, "
            + "wait until its sessions, requests and tunnels are gone (exit 0), or exit 1 at the deadline.")
final class DrainCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "POOL", description = "the pool")
  String pool;

  @Parameters(index = "1", paramLabel = "SERVER", description = "the server to drain")
  String server;

  @Option(names = "--wait", description = "wait until the drain is done, printing progress")
  boolean await;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      description =
          "how long the drain may take, e.g. 10m (default: the pool's drain.deadline, if any)")
  String deadline;

  @Option(
      names = "--admin",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:9090",
      description = "the admin API (default: ${DEFAULT-VALUE})")
  String admin;

  @Option(
      names = "--token-env",
      paramLabel = "VAR",
      description = "the environment variable holding the admin token (admin.token)")
  String tokenEnv;

  @Option(
      names = "--poll",
      paramLabel = "DURATION",
      defaultValue = "1s",
      description = "how often --wait asks (default: ${DEFAULT-VALUE})")
  String poll;

  @Spec CommandSpec spec;

  /** Where environment variables come from; replaced in tests. */
  Function<String, String> env = System::getenv;

  private final ObjectMapper json = new ObjectMapper();

  /**
   * A refusal or failure that ends the command with {@code code} after printing {@code message}.
   */
  private static final class Failure extends Exception {
    final int code;

    Failure(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run(out);
    } catch (Failure f) {
      err.println("tether drain: " + f.getMessage());
      err.flush();
      return f.code;
    } finally {
      out.flush();
    }
  }

  private int run(PrintWriter out) throws Failure {
    URI base = adminUri();
    String token = token();
    Duration every = duration("--poll", poll, Duration.ofMillis(10));
    String query = "";
    if (deadline != null) {
      duration("--deadline", deadline, Duration.ofSeconds(1));
      query = "?deadline=" + URLEncoder.encode(deadline, StandardCharsets.UTF_8);
    }
    String path = "/api/pools/" + segment(pool) + "/servers/" + segment(server) + "/drain";
    try (HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      JsonNode s = call(http, base, "POST", path + query, token);
      long started = System.nanoTime();
      out.println(
          line(s)
              + (s.path("deadline").isTextual() ? ", deadline " + s.get("deadline").asText() : ""));
      out.flush();
      if (!await) {
        return 0;
      }
      String last = line(s);
      while (!s.path("done").asBoolean()) {
        if (s.path("overdue").asBoolean()) {
          out.println(
              "pool " + pool + " server " + server + ": deadline passed with " + left(s) + " left");
          return 1;
        }
        LockSupport.parkNanos(every.toNanos());
        if (Thread.currentThread().isInterrupted()) {
          throw new Failure(1, "interrupted while waiting");
        }
        s = call(http, base, "GET", path, token);
        String now = line(s);
        if (!now.equals(last)) {
          out.println(now);
          out.flush();
          last = now;
        }
      }
      long secs = Duration.ofNanos(System.nanoTime() - started).toSeconds();
      out.println(
          "pool " + pool + " server " + server + ": done after " + secs + "s; it can be stopped");
      return 0;
    }
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private String line(JsonNode s) {
    return "pool "
        + pool
        + " server "
        + server
        + ": "
        + s.path("state").asText().toLowerCase(java.util.Locale.ROOT)
        + " ("
        + s.path("mode").asText()
        + "), "
        + left(s);
  }

  private static String left(JsonNode s) {
    long sessions = s.path("sessions").asLong();
    int inFlight = s.path("inFlight").asInt();
    int tunnels = s.path("tunnels").asInt();
    return sessions
        + (sessions == 1 ? " session, " : " sessions, ")
        + inFlight
        + " in flight, "
        + tunnels
        + (tunnels == 1 ? " tunnel" : " tunnels");
  }

  private JsonNode call(HttpClient http, URI base, String method, String path, String token)
      throws Failure {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Failure(
          2,
          "cannot reach the admin API at "
              + base
              + ": "
              + (e.getMessage() == null ? e : e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(1, "interrupted while waiting");
    }
    JsonNode body;
    try {
      body = json.readTree(r.body());
    } catch (IOException e) {
      throw new Failure(
          2,
          base
              + " answered "
              + r.statusCode()
              + " with something that is not JSON; is it Tether's admin API?");
    }
    String error =
        body != null && body.path("error").isTextual() ? body.get("error").asText() : null;
    return switch (r.statusCode()) {
      case 200 -> body;
      case 401 ->
          throw new Failure(
              2,
              "the admin API wants a valid token (401): "
                  + (tokenEnv == null
                      ? "pass --token-env VAR naming an environment variable that holds admin.token"
                      : "the token in $" + tokenEnv + " was refused"));
      case 409 -> throw new Failure(1, error == null ? "the server is not draining" : error);
      default ->
          throw new Failure(
              2, "the admin API answered " + r.statusCode() + (error == null ? "" : ": " + error));
    };
  }

  private URI adminUri() throws Failure {
    try {
      URI u = new URI(admin);
      if ((!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()))
          || u.getHost() == null) {
        throw new Failure(
            2, "--admin '" + admin + "' is not an http(s) URL; use e.g. http://127.0.0.1:9090");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new Failure(
          2,
          "--admin '"
              + admin
              + "' is not a URL ("
              + e.getReason()
              + "); use e.g. http://127.0.0.1:9090");
    }
  }

  private String token() throws Failure {
    if (tokenEnv == null) {
      return null;
    }
    String t = env.apply(tokenEnv);
    if (t == null || t.isBlank()) {
      throw new Failure(
          2, "--token-env " + tokenEnv + ": the environment variable " + tokenEnv + " is not set");
    }
    return t.strip();
  }

  private static Duration duration(String option, String text, Duration min) throws Failure {
    try {
      Duration d = DrainConfig.parseDuration(text);
      if (d.compareTo(min) < 0) {
        throw new Failure(
            2, option + " '" + text + "' is too short; use at least " + DrainConfig.format(min));
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new Failure(2, option + ": " + e.getMessage());
    }
  }
}
