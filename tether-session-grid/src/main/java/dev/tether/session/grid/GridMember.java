package dev.tether.session.grid;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.Configuration;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.infinispan.transaction.LockingMode;
import org.infinispan.transaction.TransactionMode;
import org.infinispan.transaction.lookup.EmbeddedTransactionManagerLookup;

/**
 * One member of the session grid: an embedded Infinispan cache manager clustered over JGroups TCP
 * with the two distributed caches the {@link GridSessionStore} uses. Several stores in one JVM may
 * share a member; a member is closed by whoever started it.
 *
 * <p>Both caches are {@code DIST_SYNC} with {@link GridSettings#owners()} copies per key: a write
 * returns once every owner has it, so a session survives the loss of {@code owners - 1} members.
 * The sessions cache is transactional with pessimistic locking (per-key locks taken at the primary
 * owner, see {@link GridSessionStore}); the principal index is not transactional. Values are {@code
 * byte[]} (sessions) and {@code String} (principal index), types Infinispan's default ProtoStream
 * marshaller carries natively, so no Java serialization and no schema are involved.
 *
 * <pre>{@code
 * try (GridMember member = GridMember.start(settings)) {
 *   SessionStore store = new GridSessionStore(member, Clock.systemUTC());
 * }
 * }</pre>
 */
public final class GridMember implements AutoCloseable {

  static final String SESSIONS = "tether-sessions";
  static final String PRINCIPALS = "tether-principals";

  private final EmbeddedCacheManager manager;
  private final GridSettings settings;

  private GridMember(EmbeddedCacheManager manager, GridSettings settings) {
    this.manager = manager;
    this.settings = settings;
  }

  /**
   * Starts a member and joins (or founds) its cluster; blocks until both caches are running.
   *
   * @throws IllegalStateException when the transport cannot start (port taken, address unusable)
   */
  public static GridMember start(GridSettings settings) {
    requireNonNull(settings, "settings");
    JGroupsStack.resolveBindAddress(settings);
    GlobalConfigurationBuilder global = GlobalConfigurationBuilder.defaultClusteredBuilder();
    global
        .transport()
        .clusterName(settings.clusterName())
        .addProperty(JGroupsTransport.CHANNEL_CONFIGURATOR, new JGroupsStack(settings))
        .initialClusterSize(1);
    if (settings.instanceName() != null) {
      global.transport().nodeName(settings.instanceName());
    }
    global.jmx().disable();
    global.cacheContainer().statistics(false);
    global
        .shutdown()
        .hookBehavior(org.infinispan.configuration.global.ShutdownHookBehavior.DONT_REGISTER);
    DefaultCacheManager manager = new DefaultCacheManager(global.build(), false);
    try {
      manager.defineConfiguration(SESSIONS, cacheConfiguration(settings, true));
      manager.defineConfiguration(PRINCIPALS, cacheConfiguration(settings, false));
      manager.start();
      manager.getCache(SESSIONS);
      manager.getCache(PRINCIPALS);
    } catch (RuntimeException e) {
      manager.stop();
      throw new IllegalStateException("cannot start grid member " + settings, e);
    }
    return new GridMember(manager, settings);
  }

  private static Configuration cacheConfiguration(GridSettings s, boolean pessimistic) {
    ConfigurationBuilder b = new ConfigurationBuilder();
    b.clustering()
        .cacheMode(CacheMode.DIST_SYNC)
        .hash()
        .numOwners(s.owners())
        .stateTransfer()
        .awaitInitialTransfer(true);
    if (pessimistic) {
      b.transaction()
          .transactionMode(TransactionMode.TRANSACTIONAL)
          .lockingMode(LockingMode.PESSIMISTIC)
          .transactionManagerLookup(new EmbeddedTransactionManagerLookup());
    }
    b.statistics().disable();
    return b.build();
  }

  /** The settings this member was started with. */
  public GridSettings settings() {
    return settings;
  }

  /** The names of the current cluster members, as JGroups reports them. */
  public List<String> members() {
    return manager.getMembers() == null
        ? List.of()
        : manager.getMembers().stream().map(Object::toString).toList();
  }

  /** The underlying cache manager, for monitoring; do not stop it directly. */
  public EmbeddedCacheManager cacheManager() {
    return manager;
  }

  Cache<String, byte[]> sessions() {
    return manager.getCache(SESSIONS);
  }

  Cache<String, String> principals() {
    return manager.getCache(PRINCIPALS);
  }

  /** Leaves the cluster gracefully; the other members take over this member's data. */
  @Override
  public void close() {
    manager.stop();
  }
}
