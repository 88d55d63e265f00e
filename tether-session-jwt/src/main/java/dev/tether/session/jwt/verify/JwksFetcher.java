package dev.tether.session.jwt.verify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Fetches a JWK set document; injected so the cache is tested without sockets. */
@FunctionalInterface
public interface JwksFetcher {

  /**
   * The body of {@code uri}.
   *
   * @throws IOException when it cannot be fetched or does not answer 200
   */
  String fetch(URI uri) throws IOException;

  /** Over {@link HttpClient}, with {@code timeout} for connecting and for the whole answer. */
  static JwksFetcher http(Duration timeout) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    return uri -> {
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .timeout(timeout)
              .header("Accept", "application/jwk-set+json, application/json")
              .GET()
              .build();
      try {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new IOException("GET " + uri + " answered " + r.statusCode());
        }
        return r.body();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while fetching " + uri, e);
      }
    };
  }
}
