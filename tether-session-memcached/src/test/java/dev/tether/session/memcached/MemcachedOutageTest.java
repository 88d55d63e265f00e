package dev.tether.session.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.session.circuit.CircuitBreaker;
import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.contract.OutageLoad;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreRegistry;
import dev.tether.testing.net.FaultyProxy;
import dev.tether.testing.net.FreePorts;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Memcached nodes slowed, blackholed, killed and restarted empty under {@link OutageLoad}, through
 * a store built from settings (so behind its circuit breaker). With one node of three faulty the
 * store's design applies: its keys are served by their other node and the ring's next node takes
 * the copies, so calls keep succeeding within a bound. With every node of the ring down, calls fail
 * with {@code StoreUnavailableException} within a bound, the breaker opens, and the same store
 * recovers when the nodes return. Afterwards every acknowledged save is readable and no session
 * mixes two saves. The shared nodes are never touched: only this test's own processes fail.
 */
class MemcachedOutageTest {

  private static final Duration TIMEOUT = Duration.ofMillis(300);

  /** A call may try a few nodes, each bounded by the timeout, plus scheduling slack. */
  private static final long CALL_BOUND_MILLIS = 8_000;

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void oneFaultyNodeOfThreeIsServedByTheOthersAndLosesNoAcknowledgedSave() throws Exception {
    List<InetSocketAddress> shared = MemcachedTestNodes.nodes();
    Clock clock = Clock.systemUTC();
    try (LocalMemcached own = new LocalMemcached(FreePorts.loopback(1).get(0)).start();
        FaultyProxy proxy = FaultyProxy.start("127.0.0.1", own.address().getPort())) {
      SessionStore store =
          store(List.of(shared.get(0), shared.get(1), proxied(proxy)), "one", clock);
      awaitConnected(store, 3);
      OutageLoad load = OutageLoad.start(store, 4, 25, clock);
      try {
        await("load running").atMost(WAIT).until(() -> load.acknowledged() >= 300);
        phase(load, "slowed", () -> proxy.delay(TIMEOUT.multipliedBy(4)), proxy::pass);
        phase(
            load,
            "blackholed",
            proxy::blackhole,
            () -> {
              proxy.cutAll();
              proxy.pass();
            });
        phase(load, "killed", () -> kill(own), () -> restart(own));
      } finally {
        OutageLoad.Report report = load.stop();
        assertThat(report.otherFailures())
            .as(
                "failures other than StoreUnavailableException, e.g. %s",
                report.otherFailureSample())
            .isZero();
        assertThat(report.maxCallMillis()).isLessThanOrEqualTo(CALL_BOUND_MILLIS);
        // two nodes of each key's three stay up: by design no call needs to fail
        assertThat(report.unavailable()).as("calls that failed as unavailable").isZero();
      }
      // read back at once, through a fresh store that never took a node for down
      try (SessionStore reader =
          store(List.of(shared.get(0), shared.get(1), proxied(proxy)), "one", clock)) {
        assertThat(load.sessionsCreated()).isEqualTo(100);
        assertThat(load.verify(reader)).isEmpty();
      } finally {
        store.close();
      }
    }
  }

  @Test
  void everyNodeDownFailsAsUnavailableAndTheStoreRecoversWhenTheyReturn() throws Exception {
    Clock clock = Clock.systemUTC();
    List<Integer> ports = FreePorts.loopback(2);
    try (LocalMemcached first = new LocalMemcached(ports.get(0)).start();
        LocalMemcached second = new LocalMemcached(ports.get(1)).start();
        FaultyProxy a = FaultyProxy.start("127.0.0.1", ports.get(0));
        FaultyProxy b = FaultyProxy.start("127.0.0.1", ports.get(1))) {
      SessionStore store = store(List.of(proxied(a), proxied(b)), "all", clock);
      CircuitBreaker breaker = ((CircuitBreakingStore) store).breaker();
      awaitConnected(store, 2);
      OutageLoad load = OutageLoad.start(store, 3, 10, clock);
      try {
        await("load running").atMost(WAIT).until(() -> load.acknowledged() >= 200);
        load.takeWindowMaxCallMillis();
        long unavailable = load.unavailable();
        for (FaultyProxy p : List.of(a, b)) {
          p.blackhole();
        }
        await("circuit open with every node silent")
            .atMost(WAIT)
            .until(
                () ->
                    breaker.state() != CircuitBreaker.State.CLOSED
                        && load.unavailable() > unavailable + 10);
        assertThat(load.takeWindowMaxCallMillis()).isLessThanOrEqualTo(CALL_BOUND_MILLIS);
        for (FaultyProxy p : List.of(a, b)) {
          p.cutAll();
          p.pass();
        }
        long acked = load.acknowledged();
        await("recovered once the nodes answer")
            .atMost(WAIT)
            .until(
                () ->
                    breaker.state() == CircuitBreaker.State.CLOSED
                        && load.acknowledged() > acked + 100);
      } finally {
        OutageLoad.Report report = load.stop();
        assertThat(report.otherFailures())
            .as(
                "failures other than StoreUnavailableException, e.g. %s",
                report.otherFailureSample())
            .isZero();
        assertThat(report.maxCallMillis()).isLessThanOrEqualTo(CALL_BOUND_MILLIS);
      }
      try (SessionStore reader = store(List.of(proxied(a), proxied(b)), "all", clock)) {
        assertThat(load.verify(reader)).isEmpty();
      } finally {
        store.close();
      }
    }
  }

  /**
   * A save made while the key's primary was slow went to the backup alone; once the primary answers
   * again it still holds the copy before that save. Every instance, including one that never took
   * the primary for down, must read the acknowledged save, never the primary's older copy.
   */
  @Test
  void aPrimaryBackFromBeingTakenForDownIsNotReadStale() throws Exception {
    Clock clock = Clock.systemUTC();
    List<Integer> ports = FreePorts.loopback(2);
    try (LocalMemcached first = new LocalMemcached(ports.get(0)).start();
        LocalMemcached second = new LocalMemcached(ports.get(1)).start();
        FaultyProxy a = FaultyProxy.start("127.0.0.1", ports.get(0));
        FaultyProxy b = FaultyProxy.start("127.0.0.1", ports.get(1))) {
      List<InetSocketAddress> nodes = List.of(proxied(a), proxied(b));
      MemcachedSessionStoreConfig config =
          new MemcachedSessionStoreConfig(
              nodes,
              MemcachedTestNodes.uniquePrefix("stale"),
              TIMEOUT,
              Duration.ofMillis(200),
              Duration.ofMinutes(10),
              Duration.ofMinutes(1));
      try (MemcachedSessionStore writer = new MemcachedSessionStore(config, clock);
          MemcachedSessionStore other = new MemcachedSessionStore(config, clock)) {
        awaitConnected(writer, 2);
        awaitConnected(other, 2);
        String id = new dev.tether.session.SessionIdGenerator().next();
        assertThat(
                writer
                    .create(
                        dev.tether.session.spi.SessionRecord.create(
                            id,
                            clock.instant(),
                            Duration.ofMinutes(30),
                            Duration.ofHours(8),
                            null,
                            Map.of("cart", bytes("v1"))))
                    .isSaved())
            .isTrue();
        int primary = new NodeRing(nodes).order(writer.sessionKey(id))[0];
        FaultyProxy primaryProxy =
            new NodeRing(nodes).nodes().get(primary).getPort() == a.port() ? a : b;

        primaryProxy.delay(TIMEOUT.multipliedBy(4));
        long v = writer.load(id).orElseThrow().version();
        assertThat(
                writer
                    .save(
                        dev.tether.session.spi.SessionDelta.builder(id, v)
                            .set("cart", bytes("v2"))
                            .build())
                    .isSaved())
            .as("saved through the backup while the primary is slow")
            .isTrue();
        primaryProxy.pass();
        await("the writer takes the primary as up again")
            .atMost(WAIT)
            .until(() -> writer.nodesUp() == 2);

        assertThat(writer.load(id).orElseThrow().attributeBytes("cart")).isEqualTo(bytes("v2"));
        assertThat(other.load(id).orElseThrow().attributeBytes("cart"))
            .as("an instance that never took the primary for down")
            .isEqualTo(bytes("v2"));
      }
    }
  }

  /**
   * Both nodes holding a session silent, the third node up: the session is unavailable, not absent.
   * Were it read or written on the third node, a load would answer "no session" (the user logged
   * out, the cart gone) and a save {@code GONE}, and a session created there would vanish once the
   * holders answer again.
   */
  @Test
  void bothHoldersOfASessionDownIsUnavailableNotAbsent() throws Exception {
    Clock clock = Clock.systemUTC();
    List<Integer> ports = FreePorts.loopback(3);
    List<LocalMemcached> nodes = new java.util.ArrayList<>();
    List<FaultyProxy> proxies = new java.util.ArrayList<>();
    try {
      for (int port : ports) {
        nodes.add(new LocalMemcached(port).start());
        proxies.add(FaultyProxy.start("127.0.0.1", port));
      }
      List<InetSocketAddress> ring = proxies.stream().map(MemcachedOutageTest::proxied).toList();
      MemcachedSessionStoreConfig config =
          new MemcachedSessionStoreConfig(
              ring,
              MemcachedTestNodes.uniquePrefix("holders"),
              TIMEOUT,
              Duration.ofMillis(200),
              Duration.ofMinutes(10),
              Duration.ofMinutes(1));
      try (MemcachedSessionStore store = new MemcachedSessionStore(config, clock)) {
        awaitConnected(store, 3);
        String id = new dev.tether.session.SessionIdGenerator().next();
        assertThat(
                store
                    .create(
                        dev.tether.session.spi.SessionRecord.create(
                            id,
                            clock.instant(),
                            Duration.ofMinutes(30),
                            Duration.ofHours(8),
                            null,
                            Map.of("cart", bytes("tea"))))
                    .isSaved())
            .isTrue();
        NodeRing order = new NodeRing(ring);
        int[] holders = order.order(store.sessionKey(id));
        List<FaultyProxy> silent = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
          int port = order.nodes().get(holders[i]).getPort();
          silent.add(proxies.stream().filter(p -> p.port() == port).findFirst().orElseThrow());
        }
        silent.forEach(FaultyProxy::blackhole);

        for (int i = 0; i < 3; i++) {
          long start = System.nanoTime();
          Throwable load = org.assertj.core.api.Assertions.catchThrowable(() -> store.load(id));
          Throwable save =
              org.assertj.core.api.Assertions.catchThrowable(
                  () ->
                      store.save(
                          dev.tether.session.spi.SessionDelta.builder(id, 1)
                              .set("cart", bytes("coffee"))
                              .build()));
          assertThat(load)
              .isInstanceOf(MemcachedUnavailableException.class)
              .hasMessageContaining("neither node holding a key is reachable");
          assertThat(save).isInstanceOf(MemcachedUnavailableException.class);
          assertThat(store.isOutage((RuntimeException) load)).isTrue();
          assertThat(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
              .isLessThanOrEqualTo(CALL_BOUND_MILLIS);
        }

        for (FaultyProxy p : silent) {
          p.cutAll();
          p.pass();
        }
        await("served again once its holders answer")
            .atMost(WAIT)
            .ignoreExceptions()
            .until(() -> store.load(id).isPresent());
        assertThat(store.load(id).orElseThrow().attributeBytes("cart")).isEqualTo(bytes("tea"));
      }
    } finally {
      for (FaultyProxy p : proxies) {
        p.close();
      }
      for (LocalMemcached n : nodes) {
        n.close();
      }
    }
  }

  /**
   * Waits until {@code store} has its connections open: the first folsom client of a JVM may take
   * longer than the store's start-up wait on a loaded machine, and this test is about outages that
   * come later.
   */
  private static void awaitConnected(SessionStore store, int nodes) {
    MemcachedSessionStore m = (MemcachedSessionStore) CircuitBreakingStore.unwrap(store);
    await("connected to all " + nodes + " nodes").atMost(WAIT).until(() -> m.nodesUp() == nodes);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Breaks a node, checks no call hung meanwhile, restores it, waits for the load to go on. */
  private static void phase(
      OutageLoad load, String what, ThrowingRunnable fault, ThrowingRunnable restore)
      throws Exception {
    load.takeWindowMaxCallMillis();
    long acked = load.acknowledged();
    fault.run();
    await("load goes on while a node is " + what)
        .atMost(WAIT)
        .until(() -> load.acknowledged() > acked + 200);
    assertThat(load.takeWindowMaxCallMillis())
        .as("longest call while a node is " + what)
        .isLessThanOrEqualTo(CALL_BOUND_MILLIS);
    restore.run();
    long after = load.acknowledged();
    await("load goes on after the node is back")
        .atMost(WAIT)
        .until(() -> load.acknowledged() > after + 200);
  }

  private static SessionStore store(List<InetSocketAddress> nodes, String test, Clock clock) {
    String prefix =
        PREFIXES.computeIfAbsent(test, t -> MemcachedTestNodes.uniquePrefix("outage-" + t));
    return SessionStoreRegistry.create(
        "memcached",
        Map.of(
            "nodes",
            nodes.stream()
                .map(n -> n.getHostString() + ":" + n.getPort())
                .collect(Collectors.joining(",")),
            "key-prefix",
            prefix,
            "timeout",
            TIMEOUT.toMillis() + "ms",
            "retry",
            "200ms",
            "circuit.cool-down",
            "1s"),
        clock);
  }

  private static final Map<String, String> PREFIXES =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static InetSocketAddress proxied(FaultyProxy p) {
    return new InetSocketAddress("127.0.0.1", p.port());
  }

  private static void kill(LocalMemcached m) throws Exception {
    m.kill();
  }

  private static void restart(LocalMemcached m) throws Exception {
    m.start(); // empty: its keys are refilled from their backups on first use
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}
