package dev.tether.session.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.session.SessionIdGenerator;
import dev.tether.session.circuit.CircuitBreaker;
import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.circuit.StoreUnavailableException;
import dev.tether.session.contract.OutageLoad;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import dev.tether.testing.net.FaultyProxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis killed ({@code SIGKILL}), restarted on the same port and data, then slowed by a proxy that
 * holds its replies past the command timeout, all while {@link OutageLoad} creates and saves
 * sessions through one store built from settings (so behind its circuit breaker), never rebuilt.
 * Afterwards every acknowledged save is read back from the restarted server and no session mixes
 * two saves.
 */
class RedisOutageTest {

  /** Short, so the test is quick; the bound a call may take is derived from them. */
  private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

  private static final Duration COOL_DOWN = Duration.ofSeconds(1);

  /**
   * No store call may take longer: the command timeout plus scheduling slack on a loaded 2-core
   * machine. A call stuck on a dead server without bounds would take minutes (TCP retransmission).
   */
  private static final long CALL_BOUND_MILLIS = 5_000;

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void killRestartAndSlowRedisUnderLoadLosesNoAcknowledgedSave(@TempDir Path dir) throws Exception {
    Clock clock = Clock.systemUTC();
    try (OwnRedis redis = new OwnRedis(dir);
        FaultyProxy proxy = startProxy(redis)) {
      SessionStore store =
          SessionStoreRegistry.create(
              "redis",
              Map.of(
                  "uri", "redis://127.0.0.1:" + proxy.port(),
                  "timeout", COMMAND_TIMEOUT.toMillis() + "ms",
                  "connect-timeout", "1s",
                  "circuit.cool-down", COOL_DOWN.toMillis() + "ms"),
              clock);
      assertThat(store).isInstanceOf(CircuitBreakingStore.class);
      CircuitBreaker breaker = ((CircuitBreakingStore) store).breaker();
      CircuitBreakingStore guarded = (CircuitBreakingStore) store;
      OutageLoad load = OutageLoad.start(store, 4, 25, clock);
      try {
        await("load running").atMost(WAIT).until(() -> load.acknowledged() >= 300);

        // 1. killed: calls fail fast, the circuit opens, nothing hangs
        load.takeWindowMaxCallMillis();
        redis.kill();
        await("circuit open after the kill")
            .atMost(WAIT)
            .until(() -> breaker.state() == CircuitBreaker.State.OPEN);
        long refusedBefore = guarded.refusedCalls();
        await("calls refused without reaching Redis")
            .atMost(WAIT)
            .until(() -> guarded.refusedCalls() > refusedBefore + 20);
        assertThatThrownBy(() -> store.load(new SessionIdGenerator().next()))
            .isInstanceOf(StoreUnavailableException.class)
            .satisfies(
                e -> {
                  StoreUnavailableException u = (StoreUnavailableException) e;
                  assertThat(u.store()).isEqualTo("redis");
                  assertThat(u.since()).isNotNull();
                  assertThat(u.retryAfterSeconds()).isBetween(1L, COOL_DOWN.toSeconds() + 1);
                });
        assertThat(load.unavailable()).isPositive();
        assertThat(load.takeWindowMaxCallMillis()).isLessThanOrEqualTo(CALL_BOUND_MILLIS);

        // 2. restarted on the same port and data: the same store object recovers by itself
        redis.start();
        long ackedAtRestart = load.acknowledged();
        await("circuit closed after the restart")
            .atMost(WAIT)
            .until(
                () ->
                    breaker.state() == CircuitBreaker.State.CLOSED
                        && load.acknowledged() > ackedAtRestart + 200);
        assertThat(load.takeWindowMaxCallMillis()).isLessThanOrEqualTo(CALL_BOUND_MILLIS);

        // 3. slowed: replies held past the command timeout
        long unavailableBefore = load.unavailable();
        proxy.delay(COMMAND_TIMEOUT.multipliedBy(4));
        await("circuit open while Redis is slow")
            .atMost(WAIT)
            .until(
                () ->
                    breaker.state() != CircuitBreaker.State.CLOSED
                        && load.unavailable() > unavailableBefore + 20);
        assertThat(load.takeWindowMaxCallMillis()).isLessThanOrEqualTo(CALL_BOUND_MILLIS);
        proxy.pass();
        long ackedAtPass = load.acknowledged();
        await("circuit closed once Redis is fast again")
            .atMost(WAIT)
            .until(
                () ->
                    breaker.state() == CircuitBreaker.State.CLOSED
                        && load.acknowledged() > ackedAtPass + 200);
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

      // every acknowledged save readable, none torn, read straight from the restarted server
      try (RedisSessionStore reader =
          new RedisSessionStore(RedisSessionStoreConfig.standalone(redis.uri()), clock)) {
        assertThat(load.sessionsCreated()).isEqualTo(100);
        assertThat(load.verify(reader)).isEmpty();
      }
    }
  }

  private static FaultyProxy startProxy(OwnRedis redis) throws Exception {
    redis.start();
    return FaultyProxy.start("127.0.0.1", redis.port());
  }
}
