package dev.tether.session.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One Lettuce client and its single shared connection, whatever the deployment: standalone and
 * Sentinel through {@link RedisClient}, Cluster through {@link RedisClusterClient}. The store only
 * sees the commands common to both ({@link RedisClusterCommands}). Lettuce multiplexes one
 * connection over all calling threads, so no pool is needed.
 *
 * <p>Counts every command Lettuce sends (a {@link CommandListener}), which is how the tests prove
 * one round trip per save.
 */
final class RedisLink implements AutoCloseable {

  private final AbstractRedisClient client;
  private final StatefulConnection<byte[], byte[]> connection;
  private final RedisClusterCommands<byte[], byte[]> sync;
  private final RedisClusterAsyncCommands<byte[], byte[]> async;
  private final LongAdder commands;

  private RedisLink(
      AbstractRedisClient client,
      StatefulConnection<byte[], byte[]> connection,
      RedisClusterCommands<byte[], byte[]> sync,
      RedisClusterAsyncCommands<byte[], byte[]> async,
      LongAdder commands) {
    this.commands = commands;
    this.client = client;
    this.connection = connection;
    this.sync = sync;
    this.async = async;
  }

  /** Connects as {@code config} says; fails with the cause when Redis cannot be reached. */
  static RedisLink open(RedisSessionStoreConfig config) {
    List<RedisURI> uris =
        config.uris().stream().map(u -> parse(u, config.commandTimeout())).toList();
    LongAdder counter = new LongAdder();
    CommandListener listener =
        new CommandListener() {
          @Override
          public void commandStarted(CommandStartedEvent event) {
            counter.increment();
          }
        };
    RedisLink link;
    if (config.mode() == RedisSessionStoreConfig.Mode.CLUSTER) {
      RedisClusterClient c = RedisClusterClient.create(resources(), uris);
      // node connections open on first use, so commands wait for them (still bounded by the
      // command timeout) instead of being refused while one is being established
      c.setOptions(
          io.lettuce.core.cluster.ClusterClientOptions.builder(clientOptions(config))
              .disconnectedBehavior(io.lettuce.core.ClientOptions.DisconnectedBehavior.DEFAULT)
              .build());
      c.addListener(listener);
      StatefulRedisClusterConnection<byte[], byte[]> conn = connectOrShutdown(c, config);
      link = new RedisLink(c, conn, conn.sync(), conn.async(), counter);
    } else {
      RedisClient c = RedisClient.create(resources(), uris.getFirst());
      c.setOptions(clientOptions(config));
      c.addListener(listener);
      StatefulRedisConnection<byte[], byte[]> conn = connectOrShutdown(c, config);
      link = new RedisLink(c, conn, conn.sync(), conn.async(), counter);
    }
    return link;
  }

  /**
   * Bounded waits everywhere: connecting takes at most the connect timeout, every command at most
   * the command timeout (also on the async API), and while the connection is down commands are
   * refused at once instead of queueing until they time out (on Cluster they queue, bounded by the
   * command timeout, because node connections open on first use), so a request thread never waits
   * on a dead server longer than the command timeout; Lettuce reconnects in the background with
   * exponential back-off from {@link #RECONNECT_MIN} to {@link #RECONNECT_MAX}, so a server that
   * comes back is used again within about {@link #RECONNECT_MAX}.
   */
  static io.lettuce.core.ClientOptions clientOptions(RedisSessionStoreConfig config) {
    return io.lettuce.core.ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(io.lettuce.core.ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(
            io.lettuce.core.SocketOptions.builder()
                .connectTimeout(config.connectTimeout())
                .keepAlive(true)
                .build())
        .timeoutOptions(io.lettuce.core.TimeoutOptions.enabled(config.commandTimeout()))
        .build();
  }

  /** The shortest and longest wait between two reconnection attempts. */
  static final Duration RECONNECT_MIN = Duration.ofMillis(50);

  static final Duration RECONNECT_MAX = Duration.ofSeconds(2);

  private static io.lettuce.core.resource.ClientResources resources() {
    return io.lettuce.core.resource.DefaultClientResources.builder()
        .reconnectDelay(
            io.lettuce.core.resource.Delay.exponential(
                RECONNECT_MIN, RECONNECT_MAX, 2, java.util.concurrent.TimeUnit.MILLISECONDS))
        .build();
  }

  @SuppressWarnings("unchecked")
  private static <C> C connectOrShutdown(
      AbstractRedisClient client, RedisSessionStoreConfig config) {
    try {
      Object conn =
          client instanceof RedisClusterClient cc
              ? cc.connect(ByteArrayCodec.INSTANCE)
              : ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
      ((StatefulConnection<?, ?>) conn).setTimeout(config.commandTimeout());
      return (C) conn;
    } catch (RuntimeException e) {
      client.shutdown();
      client.getResources().shutdown();
      throw new IllegalStateException(
          "cannot connect to Redis (" + config.mode() + ", " + config.uris().size() + " URI(s))",
          e);
    }
  }

  private static RedisURI parse(String uri, Duration timeout) {
    RedisURI parsed;
    try {
      parsed = RedisURI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "bad Redis URI: "
              + e.getMessage()
              + " (allowed: redis://host:port[/db], rediss://…, or"
              + " redis-sentinel://host:port[,host:port]/db#master)",
          e);
    }
    parsed.setTimeout(timeout);
    return parsed;
  }

  /** A new publish/subscribe connection to the same Redis (the caller closes it). */
  io.lettuce.core.pubsub.StatefulRedisPubSubConnection<byte[], byte[]> connectPubSub() {
    return client instanceof RedisClusterClient cc
        ? cc.connectPubSub(ByteArrayCodec.INSTANCE)
        : ((RedisClient) client).connectPubSub(ByteArrayCodec.INSTANCE);
  }

  RedisClusterCommands<byte[], byte[]> sync() {
    return sync;
  }

  RedisClusterAsyncCommands<byte[], byte[]> async() {
    return async;
  }

  /** Commands sent through this link since it was opened (connection set-up included). */
  long commandsSent() {
    return commands.sum();
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      client.getResources().shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
