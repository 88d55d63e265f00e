package dev.tether.session.spring.boot.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.SessionManager;
import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.codec.AttributeSerializer;
import dev.tether.session.spi.SessionRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;

/**
 * Two instances of {@link SampleApp} on random ports sharing one Redis, driven by a real HTTP
 * client with a cookie jar, as a load balancer without stickiness would send a user around.
 */
class TwoInstancesTest {

  private String redis;
  private String prefix;
  private ConfigurableApplicationContext a;
  private ConfigurableApplicationContext b;

  @BeforeEach
  void start() {
    redis = redisUri();
    prefix = "tether:boot:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    a = instance();
    b = instance();
  }

  @AfterEach
  void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  @Test
  void aLoggedInUserKeepsTheirLoginWhenTheirInstanceStops() throws Exception {
    Browser user = new Browser();
    assertThat(user.get(port(a), "/me").statusCode()).isEqualTo(302); // to the login page
    user.get(port(a), "/login");
    String beforeLogin = user.session();
    assertThat(beforeLogin).as("the login page's CSRF token lives in a Tether session").isNotNull();

    user.login(port(a), "alice", "alice-pw");
    assertThat(user.session())
        .as("session fixation protection rotated the Tether id")
        .isNotEqualTo(beforeLogin);
    assertThat(user.get(port(a), "/me").body()).isEqualTo("alice");
    assertThat(storedContextJson(user.session()))
        .as("the SecurityContext in Redis is Spring Security's JSON")
        .startsWith("{\"@t\":\"spring-security\",\"v\":{")
        .contains("\"alice\"", "ROLE_USER")
        .doesNotContain("alice-pw");

    int other = port(b);
    a.close();
    a = null;
    HttpResponse<String> failedOver = user.get(other, "/me");
    assertThat(failedOver.statusCode()).isEqualTo(200);
    assertThat(failedOver.body()).isEqualTo("alice");
  }

  @Test
  void maximumSessionsOneEndsTheFirstSessionWhenTheUserLogsInOnTheOtherInstance() throws Exception {
    Browser first = new Browser();
    first.login(port(a), "bob", "bob-pw");
    assertThat(first.get(port(a), "/me").body()).isEqualTo("bob");

    Browser second = new Browser();
    second.login(port(b), "bob", "bob-pw");
    assertThat(second.get(port(b), "/me").body()).isEqualTo("bob");

    assertThat(first.get(port(a), "/me").statusCode())
        .as("first session ended on its own instance")
        .isEqualTo(302);
    assertThat(first.get(port(b), "/me").statusCode()).as("and on the other").isEqualTo(302);
    assertThat(second.get(port(a), "/me").body()).isEqualTo("bob");

    HttpResponse<String> listed = second.get(port(a), "/actuator/tethersessions/bob");
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.body()).contains("\"principal\":\"bob\"").containsOnlyOnce("\"createdAt\"");
  }

  @Test
  void logoutOnOneInstanceEndsTheSessionOnTheOther() throws Exception {
    Browser user = new Browser();
    user.login(port(a), "carol", "carol-pw");
    String cookie = user.session();
    assertThat(user.get(port(b), "/me").body()).isEqualTo("carol");

    assertThat(user.logout(port(b)).statusCode()).isEqualTo(302);

    HttpResponse<String> replay =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(a) + "/me"))
                    .header("Cookie", "TSESSION=" + cookie)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(replay.statusCode())
        .as("the logged-out session cookie replayed on the other instance")
        .isEqualTo(302);
  }

  @Test
  void withoutASessionLimitTheSessionsOfAUserAreStillIndexedForEveryInstance() throws Exception {
    try (ConfigurableApplicationContext unlimited = instance("sample.maximum-sessions=0")) {
      Browser phone = new Browser();
      phone.login(port(unlimited), "dave", "dave-pw");
      Browser laptop = new Browser();
      laptop.login(port(unlimited), "dave", "dave-pw");
      assertThat(phone.get(port(unlimited), "/me").body())
          .as("no limit on this instance")
          .isEqualTo("dave");

      HttpResponse<String> listed = phone.get(port(b), "/actuator/tethersessions/dave");
      assertThat(listed.statusCode()).isEqualTo(200);
      assertThat(listed.body().split("\"createdAt\"", -1))
          .as("two sessions in %s", listed.body())
          .hasSize(3);
    }
  }

  /**
   * The stored SPRING_SECURITY_CONTEXT attribute of session {@code id}, as the codec's payload
   * text.
   */
  private String storedContextJson(String id) {
    SessionRecord r = b.getBean(SessionManager.class).store().load(id).orElseThrow();
    byte[] stored =
        r.attributeBytes(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY);
    assertThat(stored).isNotNull();
    AttributeSerializer raw =
        new AttributeSerializer() {
          @Override
          public byte[] serialize(Object value) {
            return (byte[]) value;
          }

          @Override
          public Object deserialize(byte[] bytes) {
            return bytes;
          }
        };
    byte[] payload =
        (byte[])
            new AttributeCodec(raw, AttributeCodec.Options.defaults(), new SecureRandom())
                .decode(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY, stored);
    return new String(payload, StandardCharsets.UTF_8);
  }

  private ConfigurableApplicationContext instance(String... more) {
    return new SpringApplicationBuilder(SampleApp.class)
        .properties(
            "server.port=0",
            "spring.main.banner-mode=off",
            "management.endpoints.web.exposure.include=tethersessions",
            "tether.session.store=redis",
            "tether.session.store.uri=" + redis,
            "tether.session.store.key-prefix=" + prefix,
            "tether.session.cookie.secure=false")
        .properties(more)
        .run();
  }

  private static int port(ConfigurableApplicationContext c) {
    return Integer.parseInt(c.getEnvironment().getProperty("local.server.port"));
  }

  /**
   * The test Redis, as tether-it's Stores does: skip without one, fail if services are required.
   */
  static String redisUri() {
    String uri = System.getenv("TETHER_TEST_REDIS_URI");
    if (uri == null || uri.isBlank()) {
      if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            "TETHER_TEST_REDIS_URI is not set, and TETHER_REQUIRE_SERVICES=true makes"
                + " a missing Redis a failure (source <(bash .ci/services.sh) starts one)");
      }
      Assumptions.abort("TETHER_TEST_REDIS_URI is not set: skipping the Redis test");
    }
    return uri;
  }
}
