package dev.tether.session.spring.boot.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A user agent: the JDK HTTP client with its own cookie jar, not following redirects. */
final class Browser {

  private static final Pattern CSRF =
      Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");

  private final CookieManager jar = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
  private final HttpClient http =
      HttpClient.newBuilder()
          .cookieHandler(jar)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(int port, String path, String form)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(port, path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Logs in through the login form, CSRF token included; returns the login POST's response. */
  HttpResponse<String> login(int port, String user, String password)
      throws IOException, InterruptedException {
    HttpResponse<String> page = get(port, "/login");
    assertThat(page.statusCode()).isEqualTo(200);
    HttpResponse<String> r =
        post(
            port,
            "/login",
            "username="
                + enc(user)
                + "&password="
                + enc(password)
                + "&_csrf="
                + enc(csrf(page.body())));
    assertThat(r.statusCode()).as("login POST").isEqualTo(302);
    assertThat(r.headers().firstValue("Location").orElse("")).doesNotContain("error");
    return r;
  }

  /** Logs out through the logout confirmation form. */
  HttpResponse<String> logout(int port) throws IOException, InterruptedException {
    HttpResponse<String> page = get(port, "/logout");
    assertThat(page.statusCode()).isEqualTo(200);
    return post(port, "/logout", "_csrf=" + enc(csrf(page.body())));
  }

  /** The session cookie's value, or null. */
  String session() {
    return jar.getCookieStore().getCookies().stream()
        .filter(c -> c.getName().equals("TSESSION"))
        .map(HttpCookie::getValue)
        .findFirst()
        .orElse(null);
  }

  static String csrf(String html) {
    Matcher m = CSRF.matcher(html);
    assertThat(m.find()).as("CSRF token in %s", html).isTrue();
    return m.group(1);
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
