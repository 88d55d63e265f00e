package dev.tether.proxy.frontend;

import static dev.tether.proxy.frontend.ExchangeHarness.get;
import static dev.tether.proxy.frontend.ExchangeHarness.requests;
import static dev.tether.proxy.frontend.ExchangeHarness.respond;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Pool;
import dev.tether.balance.affinity.AffinityCookie;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.policy.AffinityPolicies;
import dev.tether.balance.affinity.token.KeyRing;
import dev.tether.balance.affinity.token.SigningKey;
import dev.tether.balance.affinity.token.TokenLifetime;
import dev.tether.proxy.config.RetriesConfig;
import dev.tether.testing.leak.LeakDetection;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same exchange through the affinity-wrapped picker: cookie set and honoured, strict refusal
 * after a failure.
 */
@ExtendWith(LeakDetection.class)
class StickyExchangeTest {

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  private static Function<Pool, AffinityPolicy> cookie(boolean strict) {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) 7);
    KeyRing keys = new KeyRing(List.of(new SigningKey("k1", secret)));
    AffinityRules rules =
        AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ZERO).withStrict(strict);
    return pool ->
        AffinityPolicies.cookie(
            AffinityCookie.named("TETHER"),
            new TokenLifetime(Duration.ofMinutes(30), Duration.ofHours(8), Duration.ofMinutes(1)),
            keys,
            rules,
            Clock.systemUTC(),
            BalanceEnv.SYSTEM);
  }

  /** The {@code name=value} of the affinity cookie the response head sets. */
  private static String cookieOf(List<Object> received) {
    HttpResponse r = (HttpResponse) received.get(0);
    String set = r.headers().get(HttpHeaderNames.SET_COOKIE);
    assertThat(set).startsWith("TETHER=");
    return set.substring(0, set.indexOf(';'));
  }

  @Test
  void aNewClientIsBoundByItsCookieAndComesBackToItsServer() {
    try (ExchangeHarness h = new ExchangeHarness(dir, RetriesConfig.DEFAULTS, cookie(false))) {
      h.send(get("/cart"), DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      EmbeddedChannel first = h.backends.last();
      requests(first);
      respond(first, 200, "a");
      String cookie = cookieOf(h.received());

      for (int i = 0; i < 3; i++) {
        HttpRequest again = get("/cart");
        again.headers().set(HttpHeaderNames.COOKIE, cookie);
        h.send(again, DefaultLastHttpContent.EMPTY_LAST_CONTENT);
        EmbeddedChannel ch = h.backends.last();
        assertThat(ch).as("the pooled connection to the bound server").isSameAs(first);
        requests(ch);
        respond(ch, 200, "b");
      }

      assertThat(h.logLines())
          .extracting(l -> l.get("server").asText() + " " + l.get("affinity").asText())
          .containsExactly("s1 cookie/new", "s1 cookie/hit", "s1 cookie/hit", "s1 cookie/hit");
      assertThat(h.recorded("s1")).isEqualTo(4);
      assertThat(h.inFlight("s1")).isZero();
    }
  }

  @Test
  void aStrictlyBoundClientWhoseServerCannotBeReachedIsRefused503() {
    try (ExchangeHarness h = new ExchangeHarness(dir, RetriesConfig.DEFAULTS, cookie(true))) {
      h.send(get("/cart"), DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      EmbeddedChannel first = h.backends.last();
      requests(first);
      respond(first, 200, "a");
      String cookie = cookieOf(h.received());
      first.close(); // the pooled connection is gone: the next request connects afresh

      h.backends.holdConnects();
      HttpRequest again = get("/cart");
      again.headers().set(HttpHeaderNames.COOKIE, cookie);
      h.send(again, DefaultLastHttpContent.EMPTY_LAST_CONTENT);
      h.backends.failConnect(new ConnectTimeoutException("connection timed out"));

      assertThat(h.statuses()).containsExactly(503);
      assertThat(h.backends.opened()).hasSize(2); // never sent to the other server
      JsonNode refused = h.logLines().get(1);
      assertThat(refused.get("status").asInt()).isEqualTo(503);
      assertThat(refused.get("affinity").asText()).isEqualTo("cookie/refused");
      assertThat(refused.get("note").asText())
          .endsWith("; the client is bound to it (affinity on-failure: strict)");
      assertThat(h.logLines()).hasSize(2);
    }
  }
}
