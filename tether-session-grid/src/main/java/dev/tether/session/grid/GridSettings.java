package dev.tether.session.grid;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How one grid member joins its cluster: a JGroups TCP transport bound to {@code bindAddress:
 * bindPort} that finds its peers in a static list ({@code TCPPING}, no multicast, no UDP), a
 * distributed cache keeping {@code owners} copies of every session, and optionally a shared AES key
 * that encrypts all traffic between members ({@code SYM_ENCRYPT}).
 *
 * <pre>{@code
 * GridSettings s = GridSettings.loopback("shop-sessions", 7800,
 *     List.of(new InetSocketAddress("127.0.0.1", 7800), new InetSocketAddress("127.0.0.1", 7801)));
 * }</pre>
 *
 * @param clusterName members with the same name form one cluster
 * @param bindAddress the address the transport binds to (loopback by default)
 * @param bindPort the first port to try, 1..65535
 * @param portRange how many further ports to try when {@code bindPort} is taken (also how many
 *     ports above each initial member's port discovery probes), 0..100
 * @param initialMembers the static member list (may include this member); at least one
 * @param owners copies kept of every session, 1..10 (2 survives the loss of any one member)
 * @param encryptionKey a 16, 24 or 32 byte AES key shared by all members, or {@code null} for
 *     plain-text traffic between members
 * @param joinTimeout how long discovery and joining wait for peers before this member starts a
 *     cluster of its own
 * @param expiryGrace how much longer than a session's logical lifetime (judged by the store's
 *     clock) the grid keeps its entry as a safety net, and how long a tombstone outlives its
 *     logical end; gives sweeps time to claim expired sessions
 * @param failureTimeout how long a member that went silent (crashed, cut off) may miss heartbeats
 *     before the others suspect it and, after a short check, install a view without it; calls to it
 *     wait until then. Heartbeats are sent every fifth of it. Default 10 s, 1 s..5 min: shorter
 *     fails over faster, longer tolerates longer pauses (GC, a busy machine) without a false
 *     suspicion
 * @param instanceName the name the balancer's pool gives this app instance (e.g. {@code s2}), used
 *     as the member's node name and reported as a session owner; {@code null} (the default) lets
 *     JGroups generate a name and the store reports no owners
 */
public record GridSettings(
    String clusterName,
    String bindAddress,
    int bindPort,
    int portRange,
    List<InetSocketAddress> initialMembers,
    int owners,
    byte[] encryptionKey,
    Duration joinTimeout,
    Duration expiryGrace,
    Duration failureTimeout,
    String instanceName) {

  /** Default join timeout: short, peers on a LAN answer within milliseconds. */
  public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(2);

  /** Default safety margin beyond the logical lifetime. */
  public static final Duration DEFAULT_EXPIRY_GRACE = Duration.ofMinutes(15);

  /** Default failure timeout: JGroups' heartbeat detection as Infinispan ships it, rounded. */
  public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(10);

  public GridSettings {
    requireNonNull(clusterName, "clusterName");
    if (clusterName.isBlank()) {
      throw new IllegalArgumentException("cluster name must not be blank");
    }
    requireNonNull(bindAddress, "bindAddress");
    if (bindAddress.isBlank()) {
      throw new IllegalArgumentException("bind address must not be blank");
    }
    if (bindPort < 1 || bindPort > 65_535) {
      throw new IllegalArgumentException("bind port " + bindPort + " must be 1..65535");
    }
    if (portRange < 0 || portRange > 100) {
      throw new IllegalArgumentException("port range " + portRange + " must be 0..100");
    }
    requireNonNull(initialMembers, "initialMembers");
    initialMembers = List.copyOf(initialMembers);
    if (initialMembers.isEmpty()) {
      throw new IllegalArgumentException("initial members must list at least one host:port");
    }
    if (owners < 1 || owners > 10) {
      throw new IllegalArgumentException("owners " + owners + " must be 1..10");
    }
    if (encryptionKey != null) {
      int n = encryptionKey.length;
      if (n != 16 && n != 24 && n != 32) {
        throw new IllegalArgumentException(
            "encryption key of " + n + " bytes must be 16, 24 or 32 bytes (AES-128/192/256)");
      }
      encryptionKey = encryptionKey.clone();
    }
    requirePositive(joinTimeout, "join timeout");
    requirePositive(expiryGrace, "expiry grace");
    requireNonNull(failureTimeout, "failureTimeout");
    if (failureTimeout.compareTo(Duration.ofSeconds(1)) < 0
        || failureTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("failure timeout " + failureTimeout + " must be 1s..5m");
    }
    if (instanceName != null && !instanceName.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "instance name '"
              + instanceName
              + "' must be 1..64 letters, digits, '.', '_' or '-' (the server's name in the balancer's pool)");
    }
  }

  /** Settings without an instance name. */
  public GridSettings(
      String clusterName,
      String bindAddress,
      int bindPort,
      int portRange,
      List<InetSocketAddress> initialMembers,
      int owners,
      byte[] encryptionKey,
      Duration joinTimeout,
      Duration expiryGrace,
      Duration failureTimeout) {
    this(
        clusterName,
        bindAddress,
        bindPort,
        portRange,
        initialMembers,
        owners,
        encryptionKey,
        joinTimeout,
        expiryGrace,
        failureTimeout,
        null);
  }

  /** Settings with the default failure timeout. */
  public GridSettings(
      String clusterName,
      String bindAddress,
      int bindPort,
      int portRange,
      List<InetSocketAddress> initialMembers,
      int owners,
      byte[] encryptionKey,
      Duration joinTimeout,
      Duration expiryGrace) {
    this(
        clusterName,
        bindAddress,
        bindPort,
        portRange,
        initialMembers,
        owners,
        encryptionKey,
        joinTimeout,
        expiryGrace,
        DEFAULT_FAILURE_TIMEOUT);
  }

  /** Settings for a member on 127.0.0.1 with two owners, no encryption and the default timeouts. */
  public static GridSettings loopback(
      String clusterName, int bindPort, List<InetSocketAddress> initialMembers) {
    return new GridSettings(
        clusterName,
        "127.0.0.1",
        bindPort,
        0,
        initialMembers,
        2,
        null,
        DEFAULT_JOIN_TIMEOUT,
        DEFAULT_EXPIRY_GRACE);
  }

  /** The same settings with traffic encrypted by {@code key} (16, 24 or 32 bytes). */
  public GridSettings withEncryptionKey(byte[] key) {
    requireNonNull(key, "key");
    return new GridSettings(
        clusterName,
        bindAddress,
        bindPort,
        portRange,
        initialMembers,
        owners,
        key,
        joinTimeout,
        expiryGrace,
        failureTimeout,
        instanceName);
  }

  /** The same settings with another {@code failureTimeout} (1 s..5 min). */
  public GridSettings withFailureTimeout(Duration timeout) {
    return new GridSettings(
        clusterName,
        bindAddress,
        bindPort,
        portRange,
        initialMembers,
        owners,
        encryptionKey,
        joinTimeout,
        expiryGrace,
        timeout,
        instanceName);
  }

  /**
   * The same settings naming this member {@code name} in the balancer's pool (see {@link
   * #instanceName()}).
   */
  public GridSettings withInstanceName(String name) {
    return new GridSettings(
        clusterName,
        bindAddress,
        bindPort,
        portRange,
        initialMembers,
        owners,
        encryptionKey,
        joinTimeout,
        expiryGrace,
        failureTimeout,
        name);
  }

  /** A copy of the key, or {@code null}. */
  @Override
  public byte[] encryptionKey() {
    return encryptionKey == null ? null : encryptionKey.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GridSettings s
        && clusterName.equals(s.clusterName)
        && bindAddress.equals(s.bindAddress)
        && bindPort == s.bindPort
        && portRange == s.portRange
        && initialMembers.equals(s.initialMembers)
        && owners == s.owners
        && Arrays.equals(encryptionKey, s.encryptionKey)
        && joinTimeout.equals(s.joinTimeout)
        && expiryGrace.equals(s.expiryGrace)
        && failureTimeout.equals(s.failureTimeout)
        && Objects.equals(instanceName, s.instanceName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(clusterName, bindAddress, bindPort, initialMembers, owners);
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "GridSettings[cluster "
        + clusterName
        + ", bind "
        + bindAddress
        + ":"
        + bindPort
        + "+"
        + portRange
        + ", members "
        + initialMembers
        + ", owners "
        + owners
        + (instanceName != null ? ", instance " + instanceName : "")
        + (encryptionKey != null ? ", encrypted" : ", plain")
        + "]";
  }

  private static void requirePositive(Duration d, String what) {
    requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " " + d + " must be positive");
    }
  }
}
