package dev.tether.proxy.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A connection to Redis that never makes its caller wait: {@link #connected()} answers the
 * connection once established, else {@code null}. A failed first connection is tried again at most
 * once per {@link #RECONNECT_INTERVAL}, asynchronously; once established, Lettuce itself
 * reconnects. Thread-safe.
 */
public final class RedisLink implements AutoCloseable {

  /** How often a failed first connection to Redis is tried again. */
  public static final Duration RECONNECT_INTERVAL = Duration.ofSeconds(1);

  private final RedisClient client = RedisClient.create();
  private final RedisURI uri;
  private final Consumer<String> onFailure;
  private final AtomicReference<CompletableFuture<StatefulRedisConnection<String, String>>>
      connection = new AtomicReference<>();
  private volatile long lastAttemptNanos;

  /**
   * @param uri {@code redis://} or {@code rediss://}
   * @param timeout the command timeout, or {@code null} for Lettuce's default
   * @param onFailure told why a connection attempt failed
   */
  public RedisLink(String uri, Duration timeout, Consumer<String> onFailure) {
    this.uri = RedisURI.create(uri);
    if (timeout != null) {
      this.uri.setTimeout(timeout);
    }
    this.onFailure = onFailure;
    connect();
  }

  private void connect() {
    lastAttemptNanos = System.nanoTime();
    CompletableFuture<StatefulRedisConnection<String, String>> f =
        client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
    connection.set(f);
    f.whenComplete(
        (c, t) -> {
          if (t != null) {
            onFailure.accept(
                "cannot connect to " + uri.getHost() + ":" + uri.getPort() + ": " + t.getMessage());
          }
        });
  }

  /**
   * The connection if established, else {@code null} (and, after a failure, a new attempt in the
   * background).
   */
  public StatefulRedisConnection<String, String> connected() {
    CompletableFuture<StatefulRedisConnection<String, String>> f = connection.get();
    if (!f.isDone()) {
      return null;
    }
    if (f.isCompletedExceptionally()) {
      if (System.nanoTime() - lastAttemptNanos > RECONNECT_INTERVAL.toNanos()) {
        synchronized (this) {
          if (connection.get() == f) {
            connect();
          }
        }
      }
      return null;
    }
    return f.join();
  }

  /** The connection attempt in progress or done. */
  public CompletableFuture<StatefulRedisConnection<String, String>> pending() {
    return connection.get();
  }

  /** {@code host:port}, for log lines. */
  public String address() {
    return uri.getHost() + ":" + uri.getPort();
  }

  @Override
  public void close() {
    connection.get().thenAccept(StatefulRedisConnection::closeAsync);
    client.shutdownAsync(0, 2, TimeUnit.SECONDS);
  }
}
