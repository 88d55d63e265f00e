package dev.tether.demo.store;

import dev.tether.demo.DemoSettings;
import dev.tether.demo.chat.GridChatBus;
import dev.tether.session.grid.GridMember;
import dev.tether.session.grid.GridSessionStore;
import dev.tether.session.grid.GridSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.remoting.transport.Transport;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.ProtocolStack;

/**
 * One embedded grid member per instance, all in this JVM, two owners per session, clustered over
 * JGroups TCP on free loopback ports (a fresh port for every member, restarts included, so a
 * restarted member is never mistaken for its dead predecessor at the same address).
 *
 * <p><b>Crash.</b> A graceful {@link GridMember#close} leaves the cluster: the others learn at once
 * and nothing is ever in doubt. A real crash is different: the peers only notice through missed
 * heartbeats ({@code FD_ALL3}, then {@code VERIFY_SUSPECT2}), and calls to the dead member wait
 * until then; the demo's members are all on one machine, so they use a failure timeout of {@value
 * #FAILURE_TIMEOUT_SECONDS} s instead of the library's 10 s. {@link #crash} reproduces that the way
 * Infinispan's own test suite does ({@code TestingUtil.crashCacheManagers}): a {@code DISCARD}
 * protocol dropping everything in and out is put right above the transport, the member is given a
 * view of itself alone (so stopping sends no leave and waits for no one), and then it is stopped.
 * The survivors see a member that went silent, suspect it, and install a view without it.
 */
final class GridBackend implements StoreBackend {

  static final int FAILURE_TIMEOUT_SECONDS = 3;
  private static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(FAILURE_TIMEOUT_SECONDS);

  private final DemoSettings settings;
  private final Clock clock;
  private final String cluster;
  private final Map<String, Integer> ports = new LinkedHashMap<>();

  GridBackend(DemoSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.cluster = settings.namespace() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public InstanceStore open(String instance) {
    GridMember member = startMember(instance);
    GridChatBus chat;
    try {
      chat = new GridChatBus(member);
    } catch (RuntimeException e) {
      forget(instance);
      member.close();
      throw e;
    }
    GridSessionStore store = new GridSessionStore(member, clock);
    Runnable crash =
        () -> {
          forget(instance);
          chat.close();
          crash(member);
        };
    Runnable release =
        () -> {
          forget(instance);
          chat.close();
          member.close();
        };
    return new InstanceStore(store, chat, true, crash, release);
  }

  private GridMember startMember(String instance) {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      List<InetSocketAddress> peers = new ArrayList<>();
      synchronized (ports) {
        ports.put(instance, port);
        ports.values().forEach(p -> peers.add(new InetSocketAddress(settings.host(), p)));
      }
      // The first member waits 1 s for peers that are not there; a later one waits long enough
      // for a busy machine, since giving up would start a cluster of its own beside the others.
      Duration join = peers.size() > 1 ? Duration.ofSeconds(10) : Duration.ofSeconds(1);
      GridMember member;
      try {
        member =
            GridMember.start(
                new GridSettings(
                        cluster,
                        settings.host(),
                        port,
                        0,
                        peers,
                        2,
                        null,
                        join,
                        GridSettings.DEFAULT_EXPIRY_GRACE,
                        FAILURE_TIMEOUT)
                    .withInstanceName(instance)); // owners named as the balancer's pool names them
      } catch (IllegalStateException e) { // the port was taken meanwhile: another one
        forget(instance);
        last = e;
        continue;
      }
      try {
        awaitMembers(member, peers.size(), instance);
        return member;
      } catch (IllegalStateException e) {
        forget(instance);
        member.close();
        throw e;
      }
    }
    throw last;
  }

  /**
   * How long a member waits to see all the others. On a busy machine a join can time out and the
   * member start a cluster of its own; the grid's merge protocol (every 2–10 s) then joins the two,
   * which this leaves time for.
   */
  private static final Duration MEMBERS_TIMEOUT = Duration.ofSeconds(60);

  /** Waits until {@code member} sees all {@code expected} members, so it never serves alone. */
  private static void awaitMembers(GridMember member, int expected, String instance) {
    long deadline = System.nanoTime() + MEMBERS_TIMEOUT.toNanos();
    while (member.members().size() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "grid: "
                + instance
                + " sees "
                + member.members()
                + " after "
                + MEMBERS_TIMEOUT.toSeconds()
                + " s, not all "
                + expected
                + " members; it would serve sessions alone");
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }

  private void forget(String instance) {
    synchronized (ports) {
      ports.remove(instance);
    }
  }

  private int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(settings.host()))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("grid: no free port on " + settings.host(), e);
    }
  }

  /** Stops {@code member} as a crash would: peers hear nothing, not even a leave. */
  static void crash(GridMember member) {
    try {
      JGroupsTransport transport =
          (JGroupsTransport)
              GlobalComponentRegistry.componentOf(member.cacheManager(), Transport.class);
      JChannel channel = transport.getChannel();
      ProtocolStack stack = channel.getProtocolStack();
      stack.insertProtocol(new DISCARD().discardAll(true), ProtocolStack.Position.ABOVE, TP.class);
      GMS gms = stack.findProtocol(GMS.class);
      long next = gms.getViewId() == null ? 1 : gms.getViewId().getId() + 1;
      gms.installView(View.create(channel.getAddress(), next, channel.getAddress()));
    } catch (Exception e) {
      throw new IllegalStateException("grid: cannot cut the member off before stopping it", e);
    }
    member.close();
  }

  @Override
  public void close() {}
}
