package dev.tether.demo.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.demo.DemoSettings;
import dev.tether.demo.StoreKind;
import dev.tether.session.SessionIdGenerator;
import dev.tether.session.circuit.CircuitBreaker;
import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.circuit.StoreUnavailableException;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.testing.net.FaultyProxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo's session stores that do I/O sit behind the library's circuit breaker, as stores built
 * from settings do: with PostgreSQL behind a proxy that refuses and cuts connections, the JDBC
 * backend's store fails with {@link StoreUnavailableException} (what the filter answers 503 for),
 * not the driver's exception, its circuit opens and refuses calls without I/O, and the same store
 * serves the session again once the database is back.
 */
class StoreBackendOutageTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void jdbcBackendsStoreIsGuardedAndRecoversAfterAnOutage() throws Exception {
    String url = postgres();
    URI target = URI.create(url.substring("jdbc:".length()));
    Clock clock = Clock.systemUTC();
    try (FaultyProxy proxy = FaultyProxy.start(target.getHost(), target.getPort())) {
      String proxied =
          "jdbc:postgresql://127.0.0.1:"
              + proxy.port()
              + target.getRawPath()
              + "?"
              + target.getRawQuery();
      DemoSettings settings =
          new DemoSettings(
              StoreKind.JDBC, proxied, 1, "127.0.0.1", Duration.ofMinutes(30), namespace());
      try (StoreBackend backend = StoreBackend.of(settings, clock)) {
        InstanceStore instance = backend.open("s1");
        try {
          SessionStore store = instance.sessions();
          assertThat(store).isInstanceOf(CircuitBreakingStore.class);
          CircuitBreakingStore guarded = (CircuitBreakingStore) store;
          assertThat(guarded.name()).isEqualTo("jdbc");
          String id = new SessionIdGenerator().next();
          assertThat(
                  store
                      .create(
                          SessionRecord.create(
                              id,
                              clock.instant(),
                              Duration.ofMinutes(30),
                              Duration.ofHours(8),
                              null,
                              Map.of("cart", new byte[] {1})))
                      .isSaved())
              .isTrue();

          proxy.refuse();
          proxy.cutAll();
          await("circuit open while the database refuses connections")
              .atMost(WAIT)
              .until(
                  () -> {
                    assertThatThrownBy(() -> store.load(id))
                        .isInstanceOf(StoreUnavailableException.class)
                        .satisfies(
                            e ->
                                assertThat(((StoreUnavailableException) e).store())
                                    .isEqualTo("jdbc"));
                    return guarded.breaker().state() == CircuitBreaker.State.OPEN;
                  });
          long refused = guarded.refusedCalls();
          assertThatThrownBy(() -> store.load(id))
              .isInstanceOf(StoreUnavailableException.class)
              .hasMessageContaining("refused without calling it");
          assertThat(guarded.refusedCalls()).isEqualTo(refused + 1);

          proxy.pass();
          await("served again once the database is back")
              .atMost(WAIT)
              .ignoreExceptions()
              .until(() -> store.load(id).isPresent());
          assertThat(guarded.breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
          assertThat(store.load(id).orElseThrow().attributeBytes("cart")).containsExactly(1);
        } finally {
          instance.release().run();
        }
      }
    }
  }

  @Test
  void everyBackendThatDoesIoIsGuardedAndMemoryIsNot() throws Exception {
    Clock clock = Clock.systemUTC();
    for (StoreKind kind : new StoreKind[] {StoreKind.JDBC, StoreKind.FILE, StoreKind.REDIS}) {
      String uri = kind == StoreKind.REDIS ? redis() : null; // JDBC: H2 in memory, FILE: a temp dir
      DemoSettings settings =
          new DemoSettings(kind, uri, 1, "127.0.0.1", Duration.ofMinutes(30), namespace());
      try (StoreBackend backend = StoreBackend.of(settings, clock)) {
        InstanceStore instance = backend.open("s1");
        try {
          assertThat(instance.sessions()).as(kind.id()).isInstanceOf(CircuitBreakingStore.class);
          assertThat(((CircuitBreakingStore) instance.sessions()).name()).isEqualTo(kind.id());
        } finally {
          instance.release().run();
        }
      }
    }
    try (StoreBackend backend =
        StoreBackend.of(
            new DemoSettings(
                StoreKind.MEMORY, null, 1, "127.0.0.1", Duration.ofMinutes(30), namespace()),
            clock)) {
      InstanceStore instance = backend.open("s1");
      assertThat(instance.sessions()).isNotInstanceOf(CircuitBreakingStore.class);
      instance.release().run();
    }
  }

  private static String postgres() {
    String url = System.getenv("TETHER_TEST_PG_URL");
    if (url == null || url.isBlank()) {
      require("TETHER_TEST_PG_URL");
    }
    return url
        + (url.contains("?") ? "&" : "?")
        + "user="
        + System.getenv("TETHER_TEST_PG_USER")
        + "&password="
        + System.getenv("TETHER_TEST_PG_PASSWORD");
  }

  private static String redis() {
    String uri = System.getenv("TETHER_TEST_REDIS_URI");
    if (uri == null || uri.isBlank()) {
      require("TETHER_TEST_REDIS_URI");
    }
    return uri;
  }

  private static void require(String variable) {
    if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
      throw new IllegalStateException(
          variable
              + " is not set, and TETHER_REQUIRE_SERVICES=true makes"
              + " a missing service a failure (source <(bash .ci/services.sh) starts one)");
    }
    org.junit.jupiter.api.Assumptions.abort(variable + " is not set: skipping the demo store test");
  }

  private static String namespace() {
    return "t" + Long.toString(System.nanoTime(), 36);
  }
}
