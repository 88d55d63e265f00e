package dev.tether.session.dropin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One browser's view of several servers: it keeps the session cookie it was given (cookies are not
 * per port), so a request to a second server carries the first server's session.
 */
final class Browser {

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String cookieName;
  private String cookie;

  Browser(String cookieName) {
    this.cookieName = cookieName;
  }

  /** Presents {@code value} as the session cookie from now on. */
  void setCookie(String value) {
    cookie = value;
  }

  /** The current cookie value, or null. */
  String cookie() {
    return cookie;
  }

  HttpResponse<String> get(String url) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (cookie != null) {
      b.header("Cookie", cookieName + "=" + cookie);
    }
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      for (String set : r.headers().allValues("Set-Cookie")) {
        Matcher m = Pattern.compile("^" + Pattern.quote(cookieName) + "=([^;]*)").matcher(set);
        if (m.find()) {
          cookie = m.group(1).isEmpty() ? null : m.group(1);
        }
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The body of a GET that must answer 200. */
  String body(String url) {
    HttpResponse<String> r = get(url);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + url + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }
}
