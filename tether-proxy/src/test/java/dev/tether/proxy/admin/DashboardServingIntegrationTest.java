package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.balance.ServerState;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard's files and the cross-site rule over real HTTP: {@link ControlPlane} from YAML with
 * an admin section (port 0, a token) in front of real backends.
 */
@ExtendWith(LeakDetection.class)
class DashboardServingIntegrationTest {

  private static final String TOKEN = "0123456789abcdef-admin";
  private final List<TestBackend> backends = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private ControlPlane tether;

  @BeforeEach
  void start() throws Exception {
    StringBuilder servers = new StringBuilder();
    for (String n : List.of("s1", "s2")) {
      TestBackend b = TestBackend.start(n);
      backends.add(b);
      servers
          .append("      - { name: ")
          .append(n)
          .append(", address: ")
          .append(b.address())
          .append(" }\n");
    }
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\nadmin: { listen: 127.0.0.1:0, token: "
            + TOKEN
            + " }\n"
            + "pools:\n  web:\n    servers:\n"
            + servers;
    tether =
        ControlPlane.start(
            ConfigLoader.parse(yaml, "dashboard.yaml", Map.<String, String>of()::get));
  }

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
    http.close();
  }

  private String base() {
    return "http://127.0.0.1:" + tether.admin().port();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + TOKEN);
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePageLoadsWithoutTheTokenUnderAStrictPolicy() throws Exception {
    HttpResponse<String> r = get("/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(
            v ->
                assertThat(v)
                    .startsWith("default-src 'self'")
                    .contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe"));
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-cache");
    assertThat(r.body()).contains("<script src=\"/dashboard/app.js\" defer></script>");
    Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(r.body());
    while (scripts.find()) {
      assertThat(scripts.group(1)).as("no inline script").contains("src=");
    }
    assertThat(r.body())
        .as("no inline style or handler, nothing fetched from elsewhere")
        .doesNotContain("style=")
        .doesNotContainPattern("\\son[a-z]+=")
        .doesNotContain("http://")
        .doesNotContain("https://");
    assertThat(get("/api/pools").statusCode()).as("the API still needs the token").isEqualTo(401);

    HttpResponse<String> head =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "/"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
  }

  @Test
  void assetsHaveTheirContentTypes() throws Exception {
    Map<String, String> types =
        Map.of(
            "/dashboard/app.js", "text/javascript; charset=utf-8",
            "/dashboard/charts.js", "text/javascript; charset=utf-8",
            "/dashboard/app.css", "text/css; charset=utf-8",
            "/dashboard/favicon.svg", "image/svg+xml");
    for (Map.Entry<String, String> e : types.entrySet()) {
      HttpResponse<String> r = get(e.getKey());
      assertThat(r.statusCode()).as(e.getKey()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).as(e.getKey()).contains(e.getValue());
      assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
      assertThat(r.body()).isNotEmpty();
    }
    assertThat(get("/dashboard/app.js").body())
        .contains("Authorization")
        .contains("sessionStorage");
  }

  @Test
  void unknownAssetsAndOtherMethodsAreRefused() throws Exception {
    for (String path :
        List.of(
            "/dashboard/", "/dashboard/nope.js", "/dashboard/APP.JS", "/dashboard/app.js.map")) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(json.readTree(r.body()).get("error").asText())
          .as(path)
          .isEqualTo("no dashboard file " + path + "; the dashboard is at /");
    }
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
  }

  @Test
  void pathTraversalFindsNothing() throws Exception {
    // raw request lines, so no client normalises the path first
    for (String target :
        List.of(
            "/dashboard/../AdminServer.class",
            "/dashboard/..%2fAdminServer.class",
            "/dashboard/%2e%2e/%2e%2e/admin/AdminServer.class",
            "/dashboard/app.js/../../../../../etc/passwd",
            "/dashboard//etc/passwd",
            "/dashboard/app.js%00",
            "/dashboard/%2fapp.js",
            "/dashboard/index.html",
            "/dashboard/dashboard/app.js")) {
      String answer =
          raw("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      assertThat(answer).as(target).startsWith("HTTP/1.1 404");
      assertThat(answer).as(target).doesNotContain("root:").doesNotContain("\u00ca\u00fe");
    }
    String outside =
        raw(
            "GET /../dashboard/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Authorization: Bearer "
                + TOKEN
                + "\r\n\r\n");
    assertThat(outside).startsWith("HTTP/1.1 404").contains("no such endpoint");
  }

  private String raw(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", tether.admin().port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      in.transferTo(got);
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private ServerState state(String server) {
    return tether.pool("web").snapshot().member(server).state();
  }

  @Test
  void aPostFromAnotherSiteIsRefused() throws Exception {
    String drain = "/api/pools/web/servers/s1/drain";
    HttpResponse<String> foreign = post(drain, Map.of("Origin", "http://evil.example"));
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(foreign.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(json.readTree(foreign.body()).get("error").asText())
        .startsWith(
            "cross-site request refused: Origin 'http://evil.example' is not this admin API's origin");
    assertThat(post(drain, Map.of("Origin", base(), "Sec-Fetch-Site", "cross-site")).statusCode())
        .isEqualTo(403);
    assertThat(post(drain, Map.of("Sec-Fetch-Site", "same-site")).statusCode()).isEqualTo(403);
    assertThat(post("/api/reload", Map.of("Origin", "null")).statusCode()).isEqualTo(403);
    assertThat(state("s1")).as("nothing changed").isEqualTo(ServerState.UP);

    // the page's own calls: same origin, and the CSRF token it reads from the API
    String csrf =
        json.readTree(
                http.send(
                        HttpRequest.newBuilder(URI.create(base() + "/api/csrf"))
                            .header("Authorization", "Bearer " + TOKEN)
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body())
            .get("token")
            .asText();
    assertThat(post(drain, Map.of("Origin", base(), "Sec-Fetch-Site", "same-origin")).statusCode())
        .as("same origin without the CSRF token")
        .isEqualTo(403);
    HttpResponse<String> own =
        post(
            drain,
            Map.of("Origin", base(), "Sec-Fetch-Site", "same-origin", "X-Tether-CSRF", csrf));
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    assertThat(state("s1")).isEqualTo(ServerState.DRAINING);
    String localhost = "http://localhost:" + tether.admin().port();
    assertThat(
            post(
                    "/api/pools/web/servers/s1/disable",
                    Map.of("Origin", localhost, "X-Tether-CSRF", csrf))
                .statusCode())
        .isEqualTo(200);
    assertThat(state("s1")).isEqualTo(ServerState.DISABLED);

    HttpResponse<String> curl = post("/api/pools/web/servers/s1/enable", Map.of());
    assertThat(curl.statusCode()).as("no Origin, as curl sends").isEqualTo(200);
    assertThat(state("s1")).isEqualTo(ServerState.UP);

    HttpResponse<String> read =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "/api/pools"))
                .header("Origin", "http://evil.example")
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(read.statusCode()).as("reads change nothing and pass").isEqualTo(200);
  }
}
