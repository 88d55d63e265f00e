package dev.tether.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tether reload [--admin URL] [--token-env VAR]}: asks a running balancer to re-read its
 * configuration file ({@code POST /api/reload}) and prints the outcome.
 *
 * <p>Exit codes: 0 reloaded; 1 the balancer refused (the file has problems, each printed with its
 * file, line and key, and the running configuration stays; or it cannot reload); 2 no answer to act
 * on (unreachable, timed out, bad URL, missing token variable, token refused, not a Tether admin
 * API).
 *
 * <pre>
 * ./tether reload
 * ./tether reload --admin http://10.0.0.5:9090 --token-env TETHER_ADMIN_TOKEN
 * </pre>
 */
@Command(
    name = "reload",
    description = "Make a running balancer re-read its configuration file (POST /api/reload).")
final class ReloadCommand implements Callable<Integer> {

  /** Read for a token when {@code --token-env} is not given; no token when it is unset. */
  static final String DEFAULT_TOKEN_ENV = "TETHER_ADMIN_TOKEN";

  @Spec CommandSpec spec;

  @Option(
      names = "--admin",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:9090",
      description = "the admin API (default: ${DEFAULT-VALUE})")
  String admin;

  @Option(
      names = "--token-env",
      paramLabel = "VAR",
      description =
          "environment variable holding the admin token (default: "
              + DEFAULT_TOKEN_ENV
              + " when set)")
  String tokenEnv;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description = "how long to wait for the answer, e.g. 30s (default: ${DEFAULT-VALUE})")
  String timeout;

  private final UnaryOperator<String> env;

  ReloadCommand() {
    this(System::getenv);
  }

  /** With {@code env} standing in for the process environment (tests). */
  ReloadCommand(UnaryOperator<String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    URI uri;
    try {
      uri = reloadUri(admin);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    Duration wait = duration(timeout);
    if (wait == null) {
      err.println(
          "--timeout: '"
              + timeout
              + "' is not a duration; use a whole number with ms, s or m, e.g. 30s");
      return 2;
    }
    String token = null;
    if (tokenEnv != null) {
      token = env.apply(tokenEnv);
      if (token == null || token.isBlank()) {
        err.println(
            "--token-env: environment variable "
                + tokenEnv
                + " is not set; export it with the admin token");
        return 2;
      }
    } else {
      token = env.apply(DEFAULT_TOKEN_ENV);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(wait).POST(HttpRequest.BodyPublishers.noBody());
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token.strip());
    }
    HttpResponse<String> response;
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      err.println("no answer from " + uri + " within " + timeout + " (" + e.getMessage() + ")");
      return 2;
    } catch (ConnectException e) {
      err.println(
          "cannot reach the admin API at "
              + uri
              + ": connection refused; is the balancer running with an "
              + "admin section, and is --admin right?");
      return 2;
    } catch (IOException e) {
      err.println("cannot reach the admin API at " + uri + ": " + e);
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("interrupted while waiting for " + uri);
      return 2;
    }
    return report(uri, response.statusCode(), response.body(), out, err);
  }

  private static int report(URI uri, int status, String body, PrintWriter out, PrintWriter err) {
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(body);
    } catch (IOException e) {
      json = null;
    }
    if (json == null || !json.isObject()) {
      err.println(
          uri + " answered " + status + " without a JSON object; is --admin a Tether admin API?");
      return 2;
    }
    String error = json.path("error").asText(null);
    switch (status) {
      case 200 -> {
        int pools = json.path("pools").asInt();
        out.println(
            "reloaded "
                + json.path("source").asText("the configuration")
                + ": "
                + pools
                + " pool"
                + (pools == 1 ? "" : "s"));
        return 0;
      }
      case 400 -> {
        err.println("reload rejected; the balancer keeps its running configuration:");
        err.println(error);
        return 1;
      }
      case 501, 409 -> {
        err.println("reload not possible: " + error);
        return 1;
      }
      case 401, 403 -> {
        err.println(
            "the admin API refused the request ("
                + status
                + "): "
                + error
                + "; pass the token with --token-env VAR (or "
                + DEFAULT_TOKEN_ENV
                + ")");
        return 2;
      }
      default -> {
        err.println(uri + " answered " + status + (error == null ? "" : ": " + error));
        return 2;
      }
    }
  }

  /** {@code 500ms}, {@code 30s} or {@code 2m}, above zero; {@code null} otherwise. */
  static Duration duration(String text) {
    Matcher m = Pattern.compile("(\\d{1,6})(ms|s|m)").matcher(text.strip());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }

  /** {@code URL/api/reload}; {@code host:port} means {@code http://host:port}. */
  static URI reloadUri(String admin) {
    String a = admin.strip();
    if (!a.contains("://")) {
      a = "http://" + a;
    }
    try {
      URI base = new URI(a);
      if (!("http".equals(base.getScheme()) || "https".equals(base.getScheme()))
          || base.getHost() == null) {
        throw new IllegalArgumentException(
            "--admin: '"
                + admin
                + "' is not an http(s) URL with a host; use e.g. "
                + "http://127.0.0.1:9090");
      }
      String path = base.getRawPath() == null ? "" : base.getRawPath();
      path = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      return new URI(base.getScheme(), base.getRawAuthority(), path + "/api/reload", null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "--admin: '"
              + admin
              + "' is not a URL ("
              + e.getReason()
              + "); use e.g. "
              + "http://127.0.0.1:9090");
    }
  }
}
