package dev.tether.session.jwt.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tether.session.jwt.JwtKeySet;
import dev.tether.testing.time.SettableClock;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JwksCacheTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final URI URL = URI.create("https://shop.example/.well-known/jwks.json");

  private final SettableClock clock = new SettableClock(T0);
  private final List<JWK> served =
      new ArrayList<>(List.of(JwtKeySet.generateEs256("k1", T0).toPublicJWK()));
  private final AtomicInteger calls = new AtomicInteger();
  private volatile boolean down;
  private final JwksFetcher fetcher =
      uri -> {
        calls.incrementAndGet();
        if (down) {
          throw new IOException("connection refused");
        }
        return new JWKSet(List.copyOf(served)).toString(true);
      };
  private final JwksCache cache =
      new JwksCache(URL, fetcher, Duration.ofMinutes(5), Duration.ofSeconds(30), clock);

  @Test
  void aKnownKidIsServedFromTheCacheUntilItIsStale() {
    assertThat(cache.key("k1")).isPresent();
    clock.advance(Duration.ofMinutes(4));
    assertThat(cache.key("k1")).isPresent();
    assertThat(calls).hasValue(1);

    clock.advance(Duration.ofMinutes(1));
    assertThat(cache.key("k1")).isPresent();
    assertThat(calls).hasValue(2);
  }

  @Test
  void anUnknownKidFetchesAgainAtMostOncePerInterval() {
    assertThat(cache.key("k1")).isPresent();
    served.add(JwtKeySet.generateEs256("k2", T0).toPublicJWK());

    clock.advance(Duration.ofSeconds(10));
    assertThat(cache.key("k2")).as("fetched 10 s ago: not again yet").isEmpty();
    assertThat(cache.key("made-up")).isEmpty();
    assertThat(calls).hasValue(1);

    clock.advance(Duration.ofSeconds(20));
    assertThat(cache.key("k2")).as("a rotation shows after the interval").isPresent();
    for (int i = 0; i < 100; i++) {
      assertThat(cache.key("made-up-" + i)).isEmpty();
    }
    assertThat(calls).as("a flood of unknown kids costs no more fetches").hasValue(2);
  }

  @Test
  void aFailedFetchKeepsThePreviousKeys() {
    assertThat(cache.key("k1")).isPresent();
    down = true;
    clock.advance(Duration.ofMinutes(6));

    assertThat(cache.key("k1")).isPresent();
    assertThat(calls).hasValue(2);
    assertThat(cache.fetches()).isEqualTo(1);
  }

  @Test
  void withoutAnyFetchedSetTheKeysAreUnavailable() {
    down = true;

    assertThatThrownBy(() -> cache.key("k1"))
        .isInstanceOf(KeysUnavailableException.class)
        .hasMessageContaining(URL.toString());
  }
}
