package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.session.grid.GridSessionStore;
import dev.tether.testing.leak.LeakDetection;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover to the replica owner, end to end: Tether with cookie affinity in front of three Jetty
 * instances over a three-member grid keeping two copies of each session. The instance serving a
 * user dies (HTTP listener and grid member); the next request goes to the instance that holds the
 * other copy, outcome {@code failover-owner}, and reads the session without a single remote read.
 * With a store that has no owners (Redis) the request goes to any server and still finds the cart.
 */
@ExtendWith(LeakDetection.class)
class OwnerFailoverTest {

  @TempDir Path dir;

  @Test
  void theNextRequestGoesToTheOtherOwnerAndReadsTheSessionLocally() throws Exception {
    try (Stores stores = Stores.grid()) {
      List<AppInstance> apps = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          apps.add(new AppInstance("app" + (i + 1), stores.store(i)));
        }
        Path log = dir.resolve("access.log");
        try (ControlPlane tether =
            ControlPlane.start(ConfigLoader.parse(config(apps, log), "owners-test.yaml"))) {
          URI base = URI.create("http://127.0.0.1:" + tether.proxy().port());
          HttpClient user = client();

          HttpResponse<String> first = get(user, base, "/add?item=apple");
          String home = instance(first);
          assertThat(first.headers().allValues("tether-session-owners"))
              .as("the client never sees the owners")
              .isEmpty();
          assertThat(affinity(get(user, base, "/add?item=pear"))).isEqualTo("cookie; hit; " + home);
          int homeIndex = index(home);
          List<String> owners = grid(stores, homeIndex).owners(sessionId(user, base));
          assertThat(owners).hasSize(2);

          // The user's server dies. If it was an owner, the other owner is next; if not (it served
          // the session from the grid's remote copies), both owners are alive and the first is.
          apps.get(homeIndex).stopListener();
          stores.stop(homeIndex);
          String expected = owners.stream().filter(o -> !o.equals(home)).findFirst().orElseThrow();
          GridSessionStore survivor = grid(stores, index(expected));
          long remote = survivor.remoteReads();
          long local = survivor.localReads();
          HttpResponse<String> after = get(user, base, "/cart");
          assertThat(after.statusCode()).isEqualTo(200);
          assertThat(after.body()).as("the cart is intact").isEqualTo("apple,pear");
          assertThat(affinity(after)).isEqualTo("cookie; failover-owner; " + expected);
          assertThat(survivor.remoteReads() - remote).as("remote reads for that request").isZero();
          assertThat(survivor.localReads() - local)
              .as("it read the session from its own memory")
              .isPositive();
          await()
              .atMost(Duration.ofSeconds(5))
              .until(
                  () ->
                      Files.exists(log)
                          && Files.readString(log).contains("affinity=cookie/failover-owner"));

          // Ownership moved when the member left: the token learned the new owners from that
          // response, so when this server dies too the last one takes over as an owner.
          assertThat(affinity(get(user, base, "/add?item=plum")))
              .isEqualTo("cookie; hit; " + expected);
          apps.get(index(expected)).stopListener();
          stores.stop(index(expected));
          HttpResponse<String> last = get(user, base, "/cart");
          assertThat(last.body()).isEqualTo("apple,pear,plum");
          assertThat(affinity(last)).startsWith("cookie; failover-owner; ");
        }
      } finally {
        for (AppInstance a : apps) {
          a.close();
        }
      }
    }
  }

  @Test
  void withAStoreWithoutOwnersTheRequestGoesAnywhereAndFindsTheCart() throws Exception {
    try (Stores stores = Stores.redis()) {
      List<AppInstance> apps = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          apps.add(new AppInstance("app" + (i + 1), stores.store(i)));
        }
        try (ControlPlane tether =
            ControlPlane.start(ConfigLoader.parse(config(apps, dir.resolve("a.log")), "t.yaml"))) {
          URI base = URI.create("http://127.0.0.1:" + tether.proxy().port());
          HttpClient user = client();
          HttpResponse<String> first = get(user, base, "/add?item=apple");
          assertThat(first.headers().allValues("tether-session-owners")).isEmpty();
          String home = instance(first);
          apps.get(index(home)).stopListener();
          HttpResponse<String> after = get(user, base, "/cart");
          assertThat(after.body()).isEqualTo("apple");
          assertThat(instance(after)).isNotEqualTo(home);
          assertThat(affinity(after)).isEqualTo("cookie; redispatched-down; " + instance(after));
        }
      } finally {
        for (AppInstance a : apps) {
          a.close();
        }
      }
    }
  }

  private static String config(List<AppInstance> apps, Path log) {
    return """
        listen: 127.0.0.1:0
        workers: 1
        timeouts: { connect: 1s }
        access-log: { path: %s, flush: 10ms }
        pools:
          shop:
            affinity:
              mode: cookie
              cookie: { name: TETHER }
              debug-header: true
            servers:
              - { name: app1, address: 127.0.0.1:%d }
              - { name: app2, address: 127.0.0.1:%d }
              - { name: app3, address: 127.0.0.1:%d }
        """
        .formatted(log, apps.get(0).port(), apps.get(1).port(), apps.get(2).port());
  }

  private static GridSessionStore grid(Stores stores, int i) {
    return (GridSessionStore) stores.store(i);
  }

  private static int index(String instance) {
    return Integer.parseInt(instance.substring(3)) - 1;
  }

  private static String sessionId(HttpClient user, URI base) {
    return ((CookieManager) user.cookieHandler().orElseThrow())
        .getCookieStore().get(base).stream()
            .filter(c -> c.getName().equals("TSESSION"))
            .findFirst()
            .orElseThrow()
            .getValue();
  }

  private static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .cookieHandler(new CookieManager())
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static String instance(HttpResponse<?> r) {
    return r.headers().firstValue("x-instance").orElseThrow();
  }

  private static String affinity(HttpResponse<?> r) {
    return r.headers().firstValue("x-tether-affinity").orElseThrow();
  }

  private static HttpResponse<String> get(HttpClient client, URI base, String path)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
