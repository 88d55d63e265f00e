package dev.tether.session.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.session.SessionIdGenerator;
import dev.tether.session.circuit.CircuitBreaker;
import dev.tether.session.circuit.CircuitBreakerSettings;
import dev.tether.session.circuit.CircuitBreakingStore;
import dev.tether.session.circuit.StoreUnavailableException;
import dev.tether.session.contract.OutageLoad;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.testing.net.FreePorts;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.infinispan.commons.IllegalLifecycleStateException;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.remoting.transport.Transport;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.Test;

/**
 * The grid when it cannot serve: a member that was stopped under its store, and a member whose only
 * peer went silent (every packet to and from it dropped, as a crash or a partition looks from
 * outside) while a load of sessions runs. Calls the grid cannot serve fail with {@link
 * StoreUnavailableException}, the Infinispan exception as cause, within a bound; once the survivor
 * has dropped its silent peer it serves every session again, with every acknowledged save.
 */
class GridOutageTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final Duration WAIT = Duration.ofSeconds(90);

  /** Remote calls of the survivor end after this while its peer is silent but still in view. */
  private static final long REMOTE_TIMEOUT_MILLIS = 1_000;

  /** A lock timeout, its retry and the commit, each bounded by the remote timeout, plus slack. */
  private static final long CALL_BOUND_MILLIS = 20_000;

  @Test
  void aStoppedMemberAnswersStoreUnavailableAndItsBreakerOpens() {
    try (TestCluster cluster = TestCluster.start(1, null)) {
      GridSessionStore grid = new GridSessionStore(cluster.member(0), CLOCK);
      SessionStore store =
          CircuitBreakingStore.wrap(
              grid, "grid", CircuitBreakerSettings.defaults().withFailures(2), CLOCK);
      String id = new SessionIdGenerator().next();
      assertThat(
              store
                  .create(
                      SessionRecord.create(
                          id,
                          CLOCK.instant(),
                          Duration.ofMinutes(30),
                          Duration.ofHours(8),
                          null,
                          Map.of()))
                  .isSaved())
          .isTrue();

      cluster.member(0).close();

      assertThatThrownBy(() -> grid.load(id))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageStartingWith("session store 'grid': load failed, the grid cannot serve it now")
          .hasRootCauseInstanceOf(IllegalLifecycleStateException.class)
          .satisfies(e -> assertThat(((StoreUnavailableException) e).store()).isEqualTo("grid"));
      assertThatThrownBy(
              () -> grid.save(dev.tether.session.spi.SessionDelta.builder(id, 1).build()))
          .isInstanceOf(StoreUnavailableException.class);
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> store.load(id))
            .isInstanceOf(StoreUnavailableException.class)
            .hasMessageStartingWith("session store 'grid': load failed");
      }
      CircuitBreaker breaker = ((CircuitBreakingStore) store).breaker();
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
      assertThatThrownBy(() -> store.load(id))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("refused without calling it");
      // a bad call is still the store answering, not an outage
      assertThatThrownBy(() -> grid.load("not an id")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aMemberWhosePeerFallsSilentFailsFastUntilItDropsThePeerAndLosesNoAcknowledgedSave()
      throws Exception {
    List<Integer> ports = FreePorts.loopback(2);
    List<InetSocketAddress> all =
        ports.stream().map(p -> new InetSocketAddress("127.0.0.1", p)).toList();
    String name = "tether-outage-" + UUID.randomUUID();
    GridMember survivor = null;
    GridMember silent = null;
    try {
      survivor = GridMember.start(settings(name, ports.get(0), all));
      silent = GridMember.start(settings(name, ports.get(1), all));
      GridMember a = survivor;
      await("both members in view").atMost(WAIT).until(() -> a.members().size() == 2);
      for (var cache : List.of(survivor.sessions(), survivor.principals())) {
        cache.getCacheConfiguration().clustering().remoteTimeout(REMOTE_TIMEOUT_MILLIS);
        cache.getCacheConfiguration().locking().lockAcquisitionTimeout(REMOTE_TIMEOUT_MILLIS);
      }
      GridSessionStore store = new GridSessionStore(survivor, CLOCK);
      OutageLoad load = OutageLoad.start(store, 3, 10, CLOCK);
      try {
        await("load running").atMost(WAIT).until(() -> load.acknowledged() >= 100);
        load.takeWindowMaxCallMillis();

        cutOff(silent);

        await("calls fail as unavailable while the peer is silent")
            .atMost(WAIT)
            .until(() -> load.unavailable() > 0);
        await("the survivor drops its silent peer")
            .atMost(WAIT)
            .until(() -> a.members().size() == 1);
        long acked = load.acknowledged();
        await("served again by the survivor alone")
            .atMost(WAIT)
            .until(() -> load.acknowledged() > acked + 100);
        assertThat(load.takeWindowMaxCallMillis()).isLessThanOrEqualTo(CALL_BOUND_MILLIS);
      } finally {
        OutageLoad.Report report = load.stop();
        assertThat(report.otherFailures())
            .as(
                "failures other than StoreUnavailableException, e.g. %s",
                report.otherFailureSample())
            .isZero();
        assertThat(report.maxCallMillis()).isLessThanOrEqualTo(CALL_BOUND_MILLIS);
      }
      assertThat(load.sessionsCreated()).isEqualTo(30);
      assertThat(load.verify(store)).isEmpty();
    } finally {
      if (silent != null) {
        stopAlone(silent);
      }
      if (survivor != null) {
        survivor.close();
      }
    }
  }

  private static GridSettings settings(String cluster, int port, List<InetSocketAddress> all) {
    // failure detection well above the remote timeout, so calls time out before the view changes
    return new GridSettings(
        cluster,
        "127.0.0.1",
        port,
        0,
        all,
        2,
        null,
        Duration.ofSeconds(2),
        Duration.ofMinutes(15),
        Duration.ofSeconds(6));
  }

  /** Drops every packet to and from {@code member}, right above the transport. */
  private static void cutOff(GridMember member) throws Exception {
    ProtocolStack stack = channel(member).getProtocolStack();
    stack.insertProtocol(new DISCARD().discardAll(true), ProtocolStack.Position.ABOVE, TP.class);
  }

  /** Stops a cut-off member without waiting for peers: it is given a view of itself alone first. */
  private static void stopAlone(GridMember member) {
    JChannel channel = channel(member);
    GMS gms = channel.getProtocolStack().findProtocol(GMS.class);
    long next = gms.getViewId() == null ? 1 : gms.getViewId().getId() + 1;
    gms.installView(View.create(channel.getAddress(), next, channel.getAddress()));
    member.close();
  }

  private static JChannel channel(GridMember member) {
    JGroupsTransport transport =
        (JGroupsTransport)
            GlobalComponentRegistry.componentOf(member.cacheManager(), Transport.class);
    return transport.getChannel();
  }
}
