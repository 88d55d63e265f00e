package dev.tether.session.grid;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.infinispan.remoting.transport.jgroups.JGroupsChannelConfigurator;
import org.jgroups.JChannel;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.jgroups.util.SocketFactory;

/**
 * Builds the JGroups channel of a grid member in code, so users need no XML file.
 *
 * <p>Design: Infinispan's own {@code default-jgroups-tcp.xml} with two changes. Discovery is {@code
 * TCPPING} over the configured static member list instead of {@code MPING} (no multicast and no UDP
 * anywhere, so it works on loopback, in containers and across firewalls that only open the TCP
 * port). {@code FD_SOCK2} is left out because it binds a second port at a fixed offset from the
 * transport's, which collides with ports chosen freely (tests, containers); failure detection is
 * {@code FD_ALL3} heartbeats plus {@code VERIFY_SUSPECT2}, and a member that stops gracefully
 * leaves at once through {@code GMS}. With an encryption key, {@code SYM_ENCRYPT} sits right below
 * {@code NAKACK2} as the JGroups manual asks, using AES/CBC with a random IV per message: a member
 * without the key can neither read traffic nor join (its join request cannot be decrypted).
 */
final class JGroupsStack implements JGroupsChannelConfigurator {

  /** The longest a member stopping gracefully waits for its leave to be acknowledged. */
  static final long LEAVE_TIMEOUT_MILLIS = 2_000;

  private final GridSettings settings;
  private SocketFactory socketFactory;

  JGroupsStack(GridSettings settings) {
    this.settings = settings;
  }

  @Override
  public String getName() {
    return "tether-grid-tcp";
  }

  @Override
  public JChannel createChannel(String name) throws Exception {
    JChannel channel = channel(settings);
    if (socketFactory != null) {
      channel.getProtocolStack().getTransport().setSocketFactory(socketFactory);
    }
    return channel;
  }

  @Override
  public void setSocketFactory(SocketFactory socketFactory) {
    this.socketFactory = socketFactory;
  }

  @Override
  public void setDataSource(DataSource dataSource) {
    // no JDBC-based discovery in this stack
  }

  @Override
  public String getProtocolStackString() {
    return "TCP:TCPPING:MERGE3:FD_ALL3:VERIFY_SUSPECT2:"
        + (settings.encryptionKey() != null ? "SYM_ENCRYPT:" : "")
        + "NAKACK2:UNICAST3:STABLE:GMS:UFC:MFC:FRAG4";
  }

  @Override
  public List<ProtocolConfiguration> getProtocolStack() {
    return List.of();
  }

  static JChannel channel(GridSettings s) throws Exception {
    InetAddress bind = resolveBindAddress(s);
    long join = s.joinTimeout().toMillis();
    List<Protocol> stack = new ArrayList<>();
    TCP tcp = new TCP().setBindAddress(bind).setBindPort(s.bindPort()).setPortRange(s.portRange());
    tcp.setSockConnTimeout((int) Math.min(join, 1_000));
    tcp.tcpNodelay(true); // as Infinispan's stack: Nagle plus delayed ACKs cost ~40 ms per RPC
    tcp.setSendBufSize(640 * 1024);
    // JGroups 5.5's default per-destination bundler counts queued messages in one shared counter
    // and drops a departed member's queue without uncounting it: its sender then spins for good.
    // On a virtual thread that spin holds a carrier, and with as many carriers as cores (two, on a
    // small host) every other virtual thread of the member starves, a stop included. The classic
    // transfer-queue bundler keeps its count with its queue, and platform threads keep any busy
    // thread from starving the rest.
    tcp.setBundlerType("transfer-queue");
    tcp.useVirtualThreads(false);
    stack.add(tcp);
    stack.add(new TCPPING().setInitialHosts(s.initialMembers()).setPortRange(s.portRange()));
    stack.add(new MERGE3().setMinInterval(2_000).setMaxInterval(10_000));
    long failure = s.failureTimeout().toMillis();
    stack.add(new FD_ALL3().setInterval(failure / 5).setTimeout(failure));
    stack.add(new VERIFY_SUSPECT2().setTimeout(Math.min(1_000, failure / 5)));
    byte[] key = s.encryptionKey();
    if (key != null) {
      SYM_ENCRYPT encrypt = new SYM_ENCRYPT().setSecretKey(new SecretKeySpec(key, "AES"));
      encrypt.symAlgorithm("AES/CBC/PKCS5Padding");
      encrypt.symIvLength(16);
      stack.add(encrypt);
    }
    stack.add(new NAKACK2().useMcastXmit(false));
    stack.add(new UNICAST3());
    stack.add(new STABLE());
    // A leaving member waits at most JGroups' default 2 s for the coordinator's answer (not the
    // join
    // timeout): while it waits, locks its transactions hold on the survivors stay taken.
    stack.add(
        new GMS()
            .setJoinTimeout(join)
            .setLeaveTimeout(Math.min(join, LEAVE_TIMEOUT_MILLIS))
            .printLocalAddress(false));
    stack.add(new UFC());
    stack.add(new MFC());
    stack.add(new FRAG4());
    return new JChannel(stack);
  }

  /** The bind address, checked before anything starts so a typo fails with a clear message. */
  static InetAddress resolveBindAddress(GridSettings s) {
    try {
      return InetAddress.getByName(s.bindAddress());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "bind address '" + s.bindAddress() + "' cannot be resolved", e);
    }
  }
}
