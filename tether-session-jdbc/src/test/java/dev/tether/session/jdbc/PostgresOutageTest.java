package dev.tether.session.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.session.circuit.CircuitBreaker;
import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.contract.OutageLoad;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import dev.tether.testing.net.FaultyProxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The shared PostgreSQL behind a {@link FaultyProxy}, while {@link OutageLoad} creates and saves
 * sessions through one store built from settings (so behind its circuit breaker): replies delayed
 * past the timeouts, a blackhole (partition), every connection cut, the server refusing
 * connections, each time restored. The store is never rebuilt. Afterwards every acknowledged save
 * is read back straight from the database and no session mixes two saves.
 */
class PostgresOutageTest {

  /**
   * No call may take longer: connect-timeout (1 s) plus query-timeout and socket slack (1 + 2 s),
   * with room for scheduling on a loaded 2-core machine. An unbounded call on a partitioned
   * database would wait for TCP's retransmission timeout, about 15 minutes.
   */
  private static final long CALL_BOUND_MILLIS = 12_000;

  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void delayBlackholeCutAndRefusalUnderLoadLoseNoAcknowledgedSave() throws Exception {
    Clock clock = Clock.systemUTC();
    try (TestDatabase db = TestDatabase.fromEnvironment("PG")) {
      URI target = URI.create(db.pool().getJdbcUrl().substring("jdbc:".length()));
      String prefix = db.prefix();
      try (FaultyProxy proxy = FaultyProxy.start(target.getHost(), target.getPort())) {
        String proxied =
            "jdbc:postgresql://127.0.0.1:"
                + proxy.port()
                + target.getRawPath()
                + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
        SessionStore store =
            SessionStoreRegistry.create(
                "jdbc",
                Map.of(
                    "url",
                    proxied,
                    "user",
                    db.pool().getUsername(),
                    "password",
                    db.pool().getPassword(),
                    "table-prefix",
                    prefix,
                    "pool-size",
                    "4",
                    "connect-timeout",
                    "1s",
                    "query-timeout",
                    "1s",
                    "circuit.cool-down",
                    "1s"),
                clock);
        assertThat(store).isInstanceOf(CircuitBreakingStore.class);
        CircuitBreaker breaker = ((CircuitBreakingStore) store).breaker();
        OutageLoad load = OutageLoad.start(store, 4, 15, clock);
        try {
          await("load running").atMost(WAIT).until(() -> load.acknowledged() >= 200);

          fault(load, breaker, proxy::pass, () -> proxy.delay(Duration.ofSeconds(5)), "delayed");
          fault(
              load,
              breaker,
              () -> {
                proxy.cutAll();
                proxy.pass();
              },
              proxy::blackhole,
              "blackholed");
          fault(
              load,
              breaker,
              proxy::pass,
              () -> {
                proxy.refuse();
                proxy.cutAll();
              },
              "refusing");
          // connections cut while everything else is fine: a blip, recovered at once or after a
          // probe
          long acked = load.acknowledged();
          proxy.cutAll();
          await("recovered after the cut")
              .atMost(WAIT)
              .until(
                  () ->
                      breaker.state() == CircuitBreaker.State.CLOSED
                          && load.acknowledged() > acked + 100);
        } finally {
          OutageLoad.Report report = load.stop();
          assertThat(report.maxCallMillis()).isLessThanOrEqualTo(CALL_BOUND_MILLIS);
          assertThat(report.otherFailures())
              .as(
                  "failures other than StoreUnavailableException, e.g. %s",
                  report.otherFailureSample())
              .isZero();
          store.close();
        }
        try (JdbcSessionStore reader = new JdbcSessionStore(db.pool(), prefix, clock)) {
          assertThat(load.sessionsCreated()).isEqualTo(60);
          assertThat(load.verify(reader)).isEmpty();
        }
      }
    }
  }

  /**
   * Applies {@code fault} until the circuit opens, checks no call hung, restores, awaits recovery.
   */
  private static void fault(
      OutageLoad load, CircuitBreaker breaker, Runnable restore, Runnable fault, String what) {
    load.takeWindowMaxCallMillis();
    long unavailable = load.unavailable();
    fault.run();
    BooleanSupplier open =
        () ->
            breaker.state() != CircuitBreaker.State.CLOSED && load.unavailable() > unavailable + 10;
    await("circuit open while the database is " + what).atMost(WAIT).until(open::getAsBoolean);
    assertThat(load.takeWindowMaxCallMillis())
        .as("longest call while " + what)
        .isLessThanOrEqualTo(CALL_BOUND_MILLIS);
    restore.run();
    long acked = load.acknowledged();
    await("recovered after being " + what)
        .atMost(WAIT)
        .until(
            () ->
                breaker.state() == CircuitBreaker.State.CLOSED
                    && load.acknowledged() > acked + 100);
  }
}
