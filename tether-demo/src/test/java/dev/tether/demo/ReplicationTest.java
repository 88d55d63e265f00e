package dev.tether.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Over every shared store, a cart follows its user to another instance, and a kill loses nothing.
 */
class ReplicationTest {

  static Stream<Arguments> stores() {
    return Stream.of(
        Arguments.of("grid", (Supplier<DemoSettings>) () -> DemoSettings.defaults()),
        Arguments.of(
            "redis",
            (Supplier<DemoSettings>)
                () ->
                    DemoSettings.defaults()
                        .withStore(StoreKind.REDIS, Services.redis())
                        .withNamespace(Services.namespace())),
        Arguments.of(
            "jdbc (H2)",
            (Supplier<DemoSettings>) () -> DemoSettings.defaults().withStore(StoreKind.JDBC, null)),
        // a fixed namespace: reruns reuse the same tables instead of leaving new ones behind
        Arguments.of(
            "jdbc (PostgreSQL)",
            (Supplier<DemoSettings>)
                () ->
                    DemoSettings.defaults()
                        .withStore(StoreKind.JDBC, Services.postgres())
                        .withNamespace("tether_demo_test")),
        Arguments.of(
            "file",
            (Supplier<DemoSettings>)
                () -> DemoSettings.defaults().withStore(StoreKind.FILE, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void cartFollowsTheUserAndSurvivesAKill(String name, Supplier<DemoSettings> settings) {
    long t0 = System.nanoTime();
    try (DemoCluster demo = DemoCluster.start(settings.get());
        Shopper alice = new Shopper()) {
      System.out.printf(
          "%s: 3 instances healthy in %d ms%n",
          name, Duration.ofNanos(System.nanoTime() - t0).toMillis());
      DemoInstance s1 = demo.instance("s1");
      DemoInstance s2 = demo.instance("s2");
      DemoInstance s3 = demo.instance("s3");
      alice.login(s1, "alice");
      alice.postJson(s1, "/api/cart/items", "{\"sku\": \"mug\"}");
      alice.postJson(
          s2, "/api/cart/items", "{\"sku\": \"tee\"}"); // the next request lands elsewhere

      JsonNode onS3 = Shopper.json(alice.get(s3, "/api/cart"));
      assertThat(onS3.get("instance").asText()).isEqualTo("s3");
      assertThat(onS3.get("items"))
          .extracting(i -> i.get("sku").asText())
          .containsExactly("mug", "tee");
      assertThat(onS3.get("version").asLong()).isEqualTo(2);

      demo.kill("s1");
      assertThat(demo.instance("s1").running()).isFalse();
      // the survivors serve the cart (with a grid, possibly only once they have given up on s1)
      await()
          .atMost(Duration.ofSeconds(40))
          .untilAsserted(
              () -> {
                HttpResponse<String> r = alice.get(s2, "/api/cart");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(Shopper.json(r).get("items")).hasSize(2);
              });
      HttpResponse<String> more = alice.postJson(s3, "/api/cart/items", "{\"sku\": \"socks\"}");
      assertThat(more.statusCode()).isEqualTo(200);

      DemoInstance back = demo.start("s1");
      assertThat(back.port()).isEqualTo(s1.port());
      assertThat(back.running()).isTrue();
      JsonNode again = Shopper.json(alice.get(back, "/api/cart"));
      assertThat(again.get("instance").asText()).isEqualTo("s1");
      assertThat(again.get("items"))
          .extracting(i -> i.get("sku").asText())
          .containsExactly("mug", "tee", "socks");

      DemoInstance s4 = demo.add();
      assertThat(s4.name()).isEqualTo("s4");
      assertThat(Shopper.json(alice.get(s4, "/api/cart")).get("items")).hasSize(3);
      assertThat(demo.instances())
          .extracting(DemoInstance::name)
          .containsExactly("s1", "s2", "s3", "s4");
    }
  }
}
