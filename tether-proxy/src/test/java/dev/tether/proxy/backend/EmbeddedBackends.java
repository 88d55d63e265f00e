package dev.tether.proxy.backend;

import dev.tether.proxy.config.ConnectionsConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Ticker;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link BackendPool} of {@link EmbeddedChannel}s for socket-free exchange tests: each backend
 * connection is an embedded channel carrying HTTP objects (no codec) with the real {@link
 * BackendHandler} last, so the server timeout runs on the test's ticker. A test reads the request
 * objects a connection received with {@code readOutbound()}, and answers with {@code
 * writeInbound(response...)}.
 *
 * <p>Connections open at once by default; {@link #holdConnects()} makes the next ones wait for the
 * test to complete them ({@link #completeConnect}) or fail them ({@link #failConnect}). Idle
 * connections are pooled per address, most recently used first, as in {@link BackendConnector}.
 */
public final class EmbeddedBackends implements BackendPool {

  private final Ticker ticker;
  private final long serverTimeoutNanos;
  private final Map<InetSocketAddress, ArrayDeque<EmbeddedChannel>> idle = new HashMap<>();
  private final List<EmbeddedChannel> opened = new ArrayList<>();
  private final ArrayDeque<Pending> held = new ArrayDeque<>();
  private boolean hold;

  /** Connections {@link #discard}ed, {@link #release}d as reusable, and released to be closed. */
  public int discarded;

  public int pooled;
  public int closedOnRelease;

  private record Pending(EmbeddedChannel channel, ChannelPromise promise, BackendClient client) {}

  public EmbeddedBackends(Ticker ticker, long serverTimeoutNanos) {
    this.ticker = ticker;
    this.serverTimeoutNanos = serverTimeoutNanos;
  }

  /** From now on connects stay pending until {@link #completeConnect} or {@link #failConnect}. */
  public void holdConnects() {
    hold = true;
  }

  /** Every connection opened so far, oldest first. */
  public List<EmbeddedChannel> opened() {
    return opened;
  }

  /** The connection opened last. */
  public EmbeddedChannel last() {
    return opened.get(opened.size() - 1);
  }

  /** Completes the oldest held connect. */
  public void completeConnect() {
    Pending p = held.poll();
    handler(p.channel).attach(p.client);
    p.promise.setSuccess();
  }

  /** Fails the oldest held connect with {@code cause}. */
  public void failConnect(Throwable cause) {
    Pending p = held.poll();
    p.promise.setFailure(cause);
    p.channel.close();
  }

  @Override
  public ChannelFuture acquire(
      BackendClient client,
      InetSocketAddress address,
      ConnectionsConfig limits,
      long maxIdleNanos) {
    ArrayDeque<EmbeddedChannel> free = idle.get(address);
    if (maxIdleNanos != FRESH && free != null) {
      EmbeddedChannel ch;
      while ((ch = free.peekFirst()) != null) {
        if (!ch.isActive()) {
          free.pollFirst();
          continue;
        }
        if (maxIdleNanos != Long.MAX_VALUE
            && ticker.nanoTime() - handler(ch).idleSinceNanos > maxIdleNanos) {
          break;
        }
        free.pollFirst();
        handler(ch).attach(client);
        return handler(ch).acquired;
      }
    }
    long open =
        opened.stream().filter(c -> c.isActive() && address.equals(c.attr(ADDRESS).get())).count();
    if (limits.maxPerServer() > 0 && open >= limits.maxPerServer()) {
      return null;
    }
    EmbeddedChannel ch =
        EmbeddedChannel.builder()
            .ticker(ticker)
            .handlers(new BackendHandler(serverTimeoutNanos, ticker))
            .build();
    ch.config().setAutoRead(false);
    ch.attr(ADDRESS).set(address);
    opened.add(ch);
    ChannelPromise promise = ch.newPromise();
    if (hold) {
      held.add(new Pending(ch, promise, client));
    } else {
      handler(ch).attach(client);
      promise.setSuccess();
    }
    return promise;
  }

  private static final io.netty.util.AttributeKey<InetSocketAddress> ADDRESS =
      io.netty.util.AttributeKey.valueOf("embedded-backend-address");

  @Override
  public boolean reused(Channel ch) {
    return handler(ch).uses > 1;
  }

  @Override
  public boolean privateTo(InetSocketAddress address) {
    return false;
  }

  @Override
  public void release(Channel ch, ConnectionsConfig limits, boolean reusable) {
    BackendHandler h = handler(ch);
    h.detach();
    if (!reusable || !ch.isActive()) {
      closedOnRelease++;
      ch.close();
      return;
    }
    pooled++;
    h.idleSinceNanos = ticker.nanoTime();
    idle.computeIfAbsent(ch.attr(ADDRESS).get(), a -> new ArrayDeque<>())
        .addFirst((EmbeddedChannel) ch);
  }

  @Override
  public void discard(Channel ch) {
    discarded++;
    BackendHandler h = handler(ch);
    if (h != null) {
      h.detach();
    }
    ch.close();
  }

  @Override
  public void touch(Channel ch) {
    handler(ch).touch();
  }

  @Override
  public void suspendTimeout(Channel ch, boolean suspended) {
    BackendHandler h = handler(ch);
    if (h != null) {
      h.suspendTimeout(suspended);
    }
  }

  @Override
  public void closePrivate(Object owner) {}

  /** Runs the server-timeout checks that are due on every connection (after the ticker moved). */
  public void runTimers() {
    for (EmbeddedChannel ch : List.copyOf(opened)) {
      ch.runScheduledPendingTasks();
    }
  }

  /** Releases whatever the connections received and closes them (end of a test). */
  public void closeAll() {
    for (EmbeddedChannel ch : opened) {
      Object o;
      while ((o = ch.readOutbound()) != null) {
        ReferenceCountUtil.release(o);
      }
      ch.finishAndReleaseAll();
    }
  }

  private static BackendHandler handler(Channel ch) {
    return ch.pipeline().get(BackendHandler.class);
  }
}
