package dev.tether.session.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import dev.tether.session.spi.StoreFailures;
import dev.tether.testing.time.SettableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Wiring from settings and the outage/refusal line, on the real in-process stores. */
class CircuitBreakingStoreTest {

  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @Test
  void storesWithoutIoAreNotWrappedUnlessAsked() {
    assertThat(SessionStoreRegistry.create("memory", Map.of(), clock))
        .isInstanceOf(MemorySessionStore.class);
    SessionStore guarded =
        SessionStoreRegistry.create("memory", Map.of("circuit.enabled", "true"), clock);
    assertThat(guarded).isInstanceOf(CircuitBreakingStore.class);
    assertThat(CircuitBreakingStore.unwrap(guarded)).isInstanceOf(MemorySessionStore.class);
    assertThat(SessionStoreRegistry.create("cookie", Map.of("keys", "k1:" + KEY), clock))
        .isNotInstanceOf(CircuitBreakingStore.class);
    assertThatThrownBy(
            () ->
                SessionStoreRegistry.create(
                    "cookie", Map.of("keys", "k1:" + KEY, "circuit.enabled", "true"), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("session store 'cookie' keeps sessions in the client's cookies")
        .hasMessageEndingWith("allowed: circuit.enabled=false");
    assertThatThrownBy(
            () -> SessionStoreRegistry.create("memory", Map.of("circuit.windows", "3"), clock))
        .hasMessageStartingWith("unknown setting(s) [circuit.windows] for session store 'memory'");
  }

  @Test
  void aRefusedCallIsNotCountedAndPassesThroughUnchanged() {
    SessionStore store =
        CircuitBreakingStore.wrap(
            new MemorySessionStore(clock),
            "memory",
            CircuitBreakerSettings.defaults().withFailures(1),
            clock);
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> store.load("not a valid id!"))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(((CircuitBreakingStore) store).breaker().state())
        .isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(store.load("abc")).isEmpty();
  }

  @Test
  void outagesAreIoTimeoutsAndConnectionSqlStatesAnywhereInTheChain() {
    assertThat(
            StoreFailures.isOutage(
                new UncheckedIOException(new IOException("No space left on device"))))
        .isTrue();
    assertThat(
            StoreFailures.isOutage(new IllegalStateException("x", new ConnectException("refused"))))
        .isTrue();
    assertThat(StoreFailures.isOutage(new IllegalStateException("x", new TimeoutException())))
        .isTrue();
    assertThat(
            StoreFailures.isOutage(
                new IllegalStateException("x", new SQLException("gone", "08006"))))
        .isTrue();
    assertThat(
            StoreFailures.isOutage(
                new IllegalStateException("x", new SQLException("cancelled", "57014"))))
        .isTrue();
    assertThat(
            StoreFailures.isOutage(
                new IllegalStateException("x", new SQLException("syntax", "42601"))))
        .isFalse();
    assertThat(StoreFailures.isOutage(new IllegalStateException("corrupt session hash"))).isFalse();
    assertThat(StoreFailures.isOutage(new IllegalArgumentException("bad", new IOException())))
        .isFalse();
  }
}
