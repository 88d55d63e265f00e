package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.ServerState;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.leak.LeakDetection;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The source article's hybrid, end to end: Tether with cookie affinity in front of three Jetty 12
 * instances that keep sessions in a shared store behind a near cache.
 *
 * <ol>
 *   <li>a user fills a cart; every request lands on one instance (affinity);
 *   <li>that instance stops: the next request is served by another instance, cart intact;
 *   <li>the user changes the cart there;
 *   <li>the first instance comes back with its near cache still holding the old version, and the
 *       user is sent to it: it serves the new cart, never the stale one.
 * </ol>
 */
@ExtendWith(LeakDetection.class)
class HybridSessionTest {

  static Stream<Arguments> stores() {
    return Stream.of(
        Arguments.of("grid", (Supplier<Stores>) Stores::grid),
        Arguments.of("redis", (Supplier<Stores>) Stores::redis),
        Arguments.of("memcached", (Supplier<Stores>) Stores::memcached),
        Arguments.of("cookie", (Supplier<Stores>) Stores::cookie));
  }

  @ParameterizedTest(name = "{0} store")
  @MethodSource("stores")
  void sessionFollowsTheUserThroughFailoverAndBack(String storeName, Supplier<Stores> backend)
      throws Exception {
    try (Stores stores = backend.get()) {
      List<AppInstance> apps = new ArrayList<>();
      try {
        run(stores, apps);
      } finally {
        for (AppInstance a : apps) {
          a.close();
        }
      }
    }
  }

  private static void run(Stores stores, List<AppInstance> apps) throws Exception {
    {
      for (int i = 0; i < 3; i++) {
        apps.add(new AppInstance("app" + (i + 1), stores.store(i)));
      }
      String yaml =
          """
          listen: 127.0.0.1:0
          workers: 1
          timeouts: { connect: 1s }
          pools:
            shop:
              affinity:
                mode: cookie
                cookie: { name: TETHER }
              servers:
                - { name: app1, address: 127.0.0.1:%d }
                - { name: app2, address: 127.0.0.1:%d }
                - { name: app3, address: 127.0.0.1:%d }
          """
              .formatted(apps.get(0).port(), apps.get(1).port(), apps.get(2).port());
      try (ControlPlane tether = ControlPlane.start(ConfigLoader.parse(yaml, "hybrid-test.yaml"))) {
        URI base = URI.create("http://127.0.0.1:" + tether.proxy().port());
        HttpClient user =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .cookieHandler(new CookieManager())
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        // 1. Fill the cart: one instance serves the whole visit.
        HttpResponse<String> first = get(user, base, "/add?item=apple");
        String home = first.headers().firstValue("x-instance").orElseThrow();
        assertThat(get(user, base, "/add?item=pear").headers().firstValue("x-instance"))
            .hasValue(home);
        HttpResponse<String> cart = get(user, base, "/cart");
        assertThat(cart.body()).isEqualTo("apple,pear");
        assertThat(cart.headers().firstValue("x-instance")).hasValue(home);

        // 2. The home instance stops: the next request is served elsewhere with the cart intact.
        AppInstance homeApp =
            apps.stream().filter(a -> a.name().equals(home)).findFirst().orElseThrow();
        homeApp.stopListener();
        HttpResponse<String> afterFailover = get(user, base, "/cart");
        assertThat(afterFailover.statusCode()).isEqualTo(200);
        String second = afterFailover.headers().firstValue("x-instance").orElseThrow();
        assertThat(second).isNotEqualTo(home);
        assertThat(afterFailover.body()).isEqualTo("apple,pear");

        // 3. Change the cart on the second instance.
        assertThat(get(user, base, "/add?item=plum").headers().firstValue("x-instance"))
            .hasValue(second);

        // 4. The home instance returns, its near cache still holding the two-item cart; the
        //    others are taken out so the user is sent back to it.
        homeApp.startListener();
        for (AppInstance a : apps) {
          if (a != homeApp) {
            tether.pool("shop").setState(a.name(), ServerState.DISABLED);
          }
        }
        long missesBefore = homeApp.nearCache() == null ? 0 : homeApp.nearCache().misses();
        HttpResponse<String> back = get(user, base, "/cart");
        assertThat(back.headers().firstValue("x-instance")).hasValue(home);
        assertThat(back.body()).isEqualTo("apple,pear,plum");
        if (homeApp.nearCache() != null) {
          // The stale entry was noticed by its version and re-read, not served.
          assertThat(homeApp.nearCache().misses()).isGreaterThan(missesBefore);
        } // with the cookie store the session came in the request: nothing on the server to go
        // stale
      }
    }
  }

  private static HttpResponse<String> get(HttpClient client, URI base, String path)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
