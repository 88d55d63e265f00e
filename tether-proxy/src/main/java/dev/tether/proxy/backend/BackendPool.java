package dev.tether.proxy.backend;

import dev.tether.proxy.config.ConnectionsConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;

/**
 * The per-event-loop pool of backend connections as an exchange uses it: {@link #acquire} a
 * connection for one attempt, then {@link #release} it after a complete exchange or {@link
 * #discard} it after a failure. {@link BackendConnector} is the pool on real sockets.
 *
 * <p>All methods must be called on the event loop of the client connection passed to {@link
 * #acquire} (the pooled connections live there too).
 *
 * <pre>{@code
 * ChannelFuture f = pool.acquire(client, address, limits, maxIdleNanos);
 * if (f == null) {
 *   // 503: the server is at its connection limit on this loop
 * } else if (f.isDone()) {
 *   // a pooled connection (or a connect that already ended): no listener needed
 * } else {
 *   f.addListener(...);
 * }
 * }</pre>
 */
public interface BackendPool {

  /** {@code maxIdleNanos} for {@link #acquire}: take no pooled connection, open a new one. */
  long FRESH = -1;

  /**
   * A connection to {@code address} attached to {@code client}'s listener: the most recently used
   * idle one that has idled at most {@code maxIdleNanos} ({@link Long#MAX_VALUE}: any; {@link
   * #FRESH}: none), as a future that is already done, or else a new connection being opened (with
   * {@code client}'s PROXY header when the server's pool sends one; such connections are kept for
   * that client connection only).
   *
   * @return the connection's future, or {@code null} when no idle connection fits and {@code
   *     limits.maxPerServer()} connections to {@code address} are open on this loop
   */
  ChannelFuture acquire(
      BackendClient client, InetSocketAddress address, ConnectionsConfig limits, long maxIdleNanos);

  /** Whether {@code ch}, a connection {@link #acquire} returned, had served requests before. */
  boolean reused(Channel ch);

  /** Whether connections to {@code address} are private to a client connection (PROXY header). */
  boolean privateTo(InetSocketAddress address);

  /**
   * Returns a connection after a complete exchange: back to the idle pool when it is open, {@code
   * reusable} and the pool has room; otherwise closed.
   */
  void release(Channel ch, ConnectionsConfig limits, boolean reusable);

  /** Closes a connection that cannot be reused (error, abandoned exchange). */
  void discard(Channel ch);

  /** Restarts the server timeout of an acquired connection (request bytes went out). */
  void touch(Channel ch);

  /** Suspends the server timeout while the client side cannot take more of the response. */
  void suspendTimeout(Channel ch, boolean suspended);

  /** Closes the idle connections kept for {@code owner}, a client connection that closed. */
  void closePrivate(Object owner);
}
