package dev.tether.demo.chat;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Redis's chat: messages go out with {@code PUBLISH} on channel {@code <prefix>chat} and into the
 * list {@code <prefix>chat:log}, trimmed to the last {@link ChatBus#HISTORY} ({@code RPUSH}, {@code
 * LTRIM}, and a one-day {@code PEXPIRE} so an abandoned demo leaves nothing forever). Each instance
 * subscribes on a pub/sub connection of its own. Its own client, so closing it closes its
 * connections and threads.
 */
public final class RedisChatBus implements ChatBus {

  private static final Duration KEEP = Duration.ofDays(1);

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;
  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final String channel;
  private final String log;
  private volatile Consumer<ChatMessage> subscriber = m -> {};

  /** Connects to {@code uri} and subscribes to the room under {@code keyPrefix}. */
  public RedisChatBus(String uri, String keyPrefix) {
    requireNonNull(uri, "uri");
    this.channel = requireNonNull(keyPrefix, "keyPrefix") + "chat";
    this.log = channel + ":log";
    this.client = RedisClient.create(uri);
    try {
      this.connection = client.connect();
      this.redis = connection.sync();
      this.pubsub = client.connectPubSub();
      pubsub.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
              if (ch.equals(channel)) {
                subscriber.accept(ChatMessage.decode(message));
              }
            }
          });
      pubsub.sync().subscribe(channel);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw new IllegalStateException("chat: cannot connect to Redis at " + uri, e);
    }
  }

  @Override
  public void publish(ChatMessage m) {
    String json = m.encode();
    redis.rpush(log, json);
    redis.ltrim(log, -HISTORY, -1);
    redis.pexpire(log, KEEP.toMillis());
    redis.publish(channel, json);
  }

  @Override
  public List<ChatMessage> history() {
    List<ChatMessage> all = new ArrayList<>();
    for (String json : redis.lrange(log, 0, -1)) {
      all.add(ChatMessage.decode(json));
    }
    return ChatBus.last(all);
  }

  @Override
  public void putSent(String connection, String log) {
    redis.psetex(channel + ":sent:" + connection, SENT_KEPT.toMillis(), log);
  }

  @Override
  public String sent(String connection) {
    return redis.get(channel + ":sent:" + connection);
  }

  @Override
  public void forgetSent(String connection) {
    redis.del(channel + ":sent:" + connection);
  }

  @Override
  public void subscribe(Consumer<ChatMessage> s) {
    subscriber = requireNonNull(s, "subscriber");
  }

  @Override
  public void close() {
    subscriber = m -> {};
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
