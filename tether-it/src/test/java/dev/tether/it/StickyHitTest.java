package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.session.cache.NearCacheStore;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.spi.SessionStore;
import dev.tether.testing.leak.LeakDetection;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Zero store reads on sticky hits, end to end: Tether tells each instance the binding a request
 * arrived under ({@code Tether-Binding}); the instance's near cache serves the session it holds
 * under that binding with no store call. A session invalidated on another instance, or changed
 * there by a request that bypassed the balancer, is never served old by the original instance.
 */
@ExtendWith(LeakDetection.class)
class StickyHitTest {

  static Stream<Arguments> stores() {
    return Stream.of(
        Arguments.of("memory peers", true, (Supplier<Stores>) StickyHitTest::memoryPeers),
        Arguments.of("redis", false, (Supplier<Stores>) Stores::redis));
  }

  /**
   * Three instances over one in-memory backend, whose peers deliver invalidations synchronously.
   */
  static Stores memoryPeers() {
    MemorySessionStore first = new MemorySessionStore(Clock.systemUTC());
    List<SessionStore> peers =
        List.of(first, first.peer(Clock.systemUTC()), first.peer(Clock.systemUTC()));
    return Stores.of(peers);
  }

  /**
   * @param synchronous the backend delivers an invalidation before {@code publish} returns; Redis
   *     delivers it one network hop later, so there the check waits that long
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void stickyHitsReadNothingAndAnInvalidationElsewhereIsNeverMissed(
      String name, boolean synchronous, Supplier<Stores> backend) throws Exception {
    try (Stores stores = backend.get()) {
      List<AppInstance> apps = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          apps.add(new AppInstance("app" + (i + 1), stores.store(i), true));
        }
        String yaml =
            """
            listen: 127.0.0.1:0
            workers: 1
            pools:
              shop:
                affinity: { mode: cookie, cookie: { name: TETHER } }
                servers:
                  - { name: app1, address: 127.0.0.1:%d }
                  - { name: app2, address: 127.0.0.1:%d }
                  - { name: app3, address: 127.0.0.1:%d }
            """
                .formatted(apps.get(0).port(), apps.get(1).port(), apps.get(2).port());
        try (ControlPlane tether =
            ControlPlane.start(ConfigLoader.parse(yaml, "sticky-test.yaml"))) {
          URI base = URI.create("http://127.0.0.1:" + tether.proxy().port());
          HttpClient user =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .cookieHandler(new CookieManager())
                  .connectTimeout(Duration.ofSeconds(5))
                  .build();
          String home =
              get(user, base, "/add?item=apple").headers().firstValue("x-instance").orElseThrow();
          AppInstance homeApp =
              apps.stream().filter(a -> a.name().equals(home)).findFirst().orElseThrow();
          AppInstance other = apps.stream().filter(a -> a != homeApp).findFirst().orElseThrow();
          NearCacheStore cache = homeApp.nearCache();
          get(user, base, "/cart"); // validated once under the binding

          long reads = reads(cache);
          long bound = cache.boundHits();
          for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = get(user, base, "/cart");
            assertThat(r.body()).isEqualTo("apple");
            assertThat(r.headers().firstValue("x-instance")).hasValue(home);
          }
          assertThat(reads(cache) - reads).as("store reads for 20 sticky hits").isZero();
          assertThat(cache.boundHits() - bound).isEqualTo(20);

          // Changed on another instance by a request that bypassed the balancer.
          String session = sessionCookie(user, base);
          HttpClient direct = HttpClient.newHttpClient();
          URI otherUri = URI.create("http://127.0.0.1:" + other.port());
          assertThat(
                  direct
                      .send(
                          HttpRequest.newBuilder(otherUri.resolve("/add?item=pear"))
                              .header("Cookie", session)
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body())
              .isEqualTo("added pear");
          expectCart(user, base, "apple,pear", synchronous);

          // Invalidated on another instance (an admin or a concurrent-session limit there).
          assertThat(other.nearCache().delete(session.substring(session.indexOf('=') + 1)))
              .isTrue();
          expectCart(user, base, "no-session", synchronous);
          direct.close();
        }
      } finally {
        for (AppInstance a : apps) {
          a.close();
        }
      }
    }
  }

  private static void expectCart(HttpClient user, URI base, String cart, boolean synchronous)
      throws Exception {
    if (synchronous) {
      assertThat(get(user, base, "/cart").body())
          .as("the very next sticky request")
          .isEqualTo(cart);
    } else {
      await()
          .atMost(Duration.ofSeconds(2))
          .until(() -> get(user, base, "/cart").body().equals(cart));
    }
  }

  /** Store round trips the near cache made: a version check per validated hit, a load per miss. */
  private static long reads(NearCacheStore c) {
    return c.hits() - c.boundHits() + c.misses();
  }

  private static String sessionCookie(HttpClient user, URI base) {
    return ((CookieManager) user.cookieHandler().orElseThrow())
        .getCookieStore().get(base).stream()
            .filter(c -> c.getName().equals("TSESSION"))
            .findFirst()
            .orElseThrow()
            .toString();
  }

  private static HttpResponse<String> get(HttpClient client, URI base, String path)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
