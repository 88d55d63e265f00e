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
      RedisClusterClient c = RedisClusterClient.create(uris);
      c.addListener(listener);
      StatefulRedisClusterConnection<byte[], byte[]> conn = connectOrShutdown(c, config);
      link = new RedisLink(c, conn, conn.sync(), conn.async(), counter);
    } else {
      RedisClient c = RedisClient.create(uris.getFirst());
      c.addListener(listener);
      StatefulRedisConnection<byte[], byte[]> conn = connectOrShutdown(c, config);
      link = new RedisLink(c, conn, conn.sync(), conn.async(), counter);
    }
    return link;
  }

  @SuppressWarnings("unchecked")
  private static <C> C connectOrShutdown(AbstractRedisClient client, RedisSessionStoreConfig config) {
    try {
      Object conn =
          client instanceof RedisClusterClient cc
              ? cc.connect(ByteArrayCodec.INSTANCE)
              : ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
      ((StatefulConnection<?, ?>) conn).setTimeout(config.commandTimeout());
      return (C) conn;
    } catch (RuntimeException e) {
      client.shutdown();
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
    }
  }
}
