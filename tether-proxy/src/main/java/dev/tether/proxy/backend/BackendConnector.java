package dev.tether.proxy.backend;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.ProxySettings;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.tls.BackendTls;
import dev.tether.proxy.transport.NanoTimeTicker;
import dev.tether.proxy.transport.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Ticker;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opens and pools backend connections. Pools are per event loop and per server address, so a
 * request's whole life stays on one loop and no pool is shared between threads (STYLE habit 4, as
 * Zuul's {@code PerServerConnectionPool}). Idle connections are reused most-recently-used first
 * (warm ones), and the oldest are closed by a sweep once they exceed the pool's idle timeout. An
 * idle connection keeps a read pending, so a backend that closes it is noticed and the connection
 * is dropped before anyone borrows it.
 *
 * <p>All methods but the counters must be called on the event loop passed in.
 */
public final class BackendConnector implements BackendPool {

  /**
   * The name of the TLS handler in the pipeline of a backend connection of a pool with {@code tls}.
   */
  public static final String TLS = "tls";

  private static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final NettyTransport transport;
  private final ProxySettings settings;
  private final Ticker ticker;
  private final FastThreadLocal<LoopPool> pools =
      new FastThreadLocal<>() {
        @Override
        protected LoopPool initialValue() {
          return new LoopPool();
        }
      };
  private final LongAdder connects = new LongAdder();
  private final LongAdder reuses = new LongAdder();

  /** TLS by server address, for pools with {@code tls}; published whole by the control plane. */
  private volatile Map<InetSocketAddress, BackendTls> tls = Map.of();

  /** PROXY protocol by server address, for pools with {@code connections.send-proxy}. */
  private volatile Map<InetSocketAddress, ConnectionsConfig.ProxyProtocolVersion> sendProxy =
      Map.of();

  /** A connector on the system ticker. */
  public BackendConnector(NettyTransport transport, ProxySettings settings) {
    this(transport, settings, NanoTimeTicker.INSTANCE);
  }

  /** A connector whose idle and server timeouts read {@code ticker} (the runtime's). */
  public BackendConnector(NettyTransport transport, ProxySettings settings, Ticker ticker) {
    this.transport = requireNonNull(transport, "transport");
    this.settings = requireNonNull(settings, "settings");
    this.ticker = requireNonNull(ticker, "ticker");
  }

  @Override
  public ChannelFuture acquire(
      BackendClient client,
      InetSocketAddress address,
      ConnectionsConfig limits,
      long maxIdleNanos) {
    Channel owner = client.clientChannel();
    EventLoop loop = owner.eventLoop();
    ConnectionsConfig.ProxyProtocolVersion proxy = sendProxy.get(address);
    Object privateOwner = proxy == null ? null : owner;
    if (maxIdleNanos != FRESH) {
      Channel ch = borrow(loop, address, client, maxIdleNanos, privateOwner);
      if (ch != null) {
        return handler(ch).acquired;
      }
    }
    if (!mayOpen(loop, address, limits)) {
      return null;
    }
    if (proxy == null) {
      return connect(loop, address, client);
    }
    InetSocketAddress src =
        client.clientEnd() != null ? client.clientEnd() : new InetSocketAddress("0.0.0.0", 0);
    InetSocketAddress dst =
        client.localEnd() != null ? client.localEnd() : new InetSocketAddress("0.0.0.0", 0);
    return connect(loop, address, client, new ProxyHeader(proxy, src, dst), privateOwner);
  }

  @Override
  public boolean reused(Channel ch) {
    BackendHandler h = handler(ch);
    return h != null && h.uses > 1;
  }

  @Override
  public boolean privateTo(InetSocketAddress address) {
    return sendProxy.get(address) != null;
  }

  /**
   * Connections opened from now on to an address in {@code byAddress} speak TLS with its context;
   * connections already pooled keep what they speak. Pooling is by address, so two pools that share
   * a server address share its TLS setting too.
   */
  public void sendProxy(Map<InetSocketAddress, ConnectionsConfig.ProxyProtocolVersion> byAddress) {
    this.sendProxy = Map.copyOf(byAddress);
  }

  /**
   * The PROXY protocol version connections to {@code address} start with, or {@code null}. Such
   * connections are private: kept for the client connection that opened them (see {@link
   * #acquire}), never shared.
   */
  public ConnectionsConfig.ProxyProtocolVersion sendsProxy(InetSocketAddress address) {
    return sendProxy.get(address);
  }

  public void tls(Map<InetSocketAddress, BackendTls> byAddress) {
    this.tls = Map.copyOf(byAddress);
  }

  /** Connections opened so far. */
  public long connects() {
    return connects.sum();
  }

  /** Requests that reused a pooled connection so far. */
  public long reuses() {
    return reuses.sum();
  }

  /**
   * Takes an idle pooled connection to {@code address} that has been idle for at most {@code
   * maxIdleNanos} and attaches it to {@code listener}, or returns {@code null}. The longer a
   * connection idles, the likelier the server closes it just as a request is sent on it; a request
   * that must not be sent twice asks for a recently used one (idle connections are kept most
   * recently used first). With an {@code owner} (a client connection) only a connection kept for it
   * will do: connections that carry a client's PROXY header serve that client only.
   */
  private Channel borrow(
      EventLoop loop,
      InetSocketAddress address,
      BackendListener listener,
      long maxIdleNanos,
      Object owner) {
    assert loop.inEventLoop();
    Entry e = pools.get().entries.get(address);
    if (e == null) {
      return null;
    }
    java.util.ArrayDeque<Channel> idle = owner == null ? e.idle : e.privateIdle.get(owner);
    if (idle == null) {
      return null;
    }
    Channel ch;
    while ((ch = idle.peekFirst()) != null) {
      if (!ch.isActive()) {
        idle.pollFirst();
        continue;
      }
      if (maxIdleNanos != Long.MAX_VALUE
          && ticker.nanoTime() - handler(ch).idleSinceNanos > maxIdleNanos) {
        return null;
      }
      idle.pollFirst();
      handler(ch).attach(listener);
      reuses.increment();
      return ch;
    }
    return null;
  }

  /**
   * Whether another connection to {@code address} may be opened on this loop under {@code limits}.
   * Exchanges {@link #acquire} instead; for what opens connections of its own (WebSocket resumes).
   */
  public boolean mayOpen(EventLoop loop, InetSocketAddress address, ConnectionsConfig limits) {
    if (limits.maxPerServer() <= 0) {
      return true;
    }
    Entry e = pools.get().entries.get(address);
    return e == null || e.open < limits.maxPerServer();
  }

  /**
   * Opens a connection to {@code address} on {@code loop}; once connected it is attached to {@code
   * listener}. The connection's pipeline is an HTTP client codec and the backend handler; auto-read
   * is off, the caller reads. Exchanges {@link #acquire} instead; for what opens connections of its
   * own (WebSocket resumes).
   */
  public ChannelFuture connect(
      EventLoop loop, InetSocketAddress address, BackendListener listener) {
    return connect(loop, address, listener, null, null);
  }

  /**
   * As {@link #connect(EventLoop, InetSocketAddress, BackendListener)}; when {@code header} is not
   * {@code null} the connection starts with it and is kept for {@code owner} only.
   */
  private ChannelFuture connect(
      EventLoop loop,
      InetSocketAddress address,
      BackendListener listener,
      ProxyHeader header,
      Object owner) {
    assert loop.inEventLoop();
    if ((header == null) != (owner == null)) {
      throw new IllegalArgumentException(
          "a PROXY header needs the client connection it is kept for, and only it");
    }
    LoopPool pool = pools.get();
    Entry e = pool.entries.computeIfAbsent(address, a -> new Entry());
    e.open++;
    connects.increment();
    Limits limits = settings.limits();
    long timeoutNanos = settings.timeouts().server().toNanos();
    BackendTls secure = tls.get(address);
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(transport.socketChannel())
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(32 * 1024, 64 * 1024))
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, settings.timeouts().connect().toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    BackendHandler h = new BackendHandler(timeoutNanos, ticker);
                    h.owner = owner;
                    if (header != null) {
                      ch.pipeline()
                          .addLast(io.netty.handler.codec.haproxy.HAProxyMessageEncoder.INSTANCE);
                      ch.pipeline()
                          .addLast(ProxyHeader.Writer.NAME, new ProxyHeader.Writer(header));
                    }
                    if (secure != null) {
                      ch.pipeline().addLast(TLS, secure.newHandler(ch.alloc(), address));
                    }
                    // Response heads from a backend may be larger than what we accept from clients.
                    ClientCodec.install(
                        ch.pipeline(),
                        limits.maxRequestLine(),
                        Math.max(limits.maxHeaderSize(), 65536),
                        limits.maxChunk());
                    ch.pipeline().addLast("backend", h);
                  }
                });
    ChannelFuture f = b.connect(address);
    f.channel()
        .closeFuture()
        .addListener(
            cf -> {
              e.open--;
              if (owner == null) {
                e.idle.remove(f.channel());
              } else {
                java.util.ArrayDeque<Channel> mine = e.privateIdle.get(owner);
                if (mine != null && mine.remove(f.channel()) && mine.isEmpty()) {
                  e.privateIdle.remove(owner);
                }
              }
            });
    f.addListener(
        (ChannelFuture cf) -> {
          if (cf.isSuccess()) {
            if (header != null) {
              ProxyHeader.Writer.send(
                  cf.channel()); // before the caller's listener writes the request
            }
            handler(cf.channel()).attach(listener);
          }
        });
    return f;
  }

  /**
   * Returns a connection after a complete exchange. It goes back to the idle pool when it is open,
   * reusable and the pool has room; otherwise it is closed.
   */
  @Override
  public void release(Channel ch, ConnectionsConfig limits, boolean reusable) {
    BackendHandler h = handler(ch);
    if (h != null) {
      h.detach();
    }
    if (!reusable || !ch.isActive() || h == null) {
      ch.close();
      return;
    }
    LoopPool pool = pools.get();
    Entry e = pool.entries.get((InetSocketAddress) ch.remoteAddress());
    java.util.ArrayDeque<Channel> idle =
        e == null
            ? null
            : h.owner == null
                ? e.idle
                : e.privateIdle.computeIfAbsent(h.owner, o -> new java.util.ArrayDeque<>(2));
    if (idle == null || idle.size() >= limits.maxIdlePerServer()) {
      ch.close();
      return;
    }
    h.idleSinceNanos = ticker.nanoTime();
    e.idleTimeoutNanos = limits.idleTimeout().toNanos();
    idle.addFirst(ch);
    ch.read();
    pool.scheduleSweep(ch.eventLoop());
  }

  /** Closes a connection that cannot be reused (error, abandoned exchange, upgrade ended). */
  @Override
  public void discard(Channel ch) {
    BackendHandler h = handler(ch);
    if (h != null) {
      h.detach();
    }
    ch.close();
  }

  /** Restarts the server timeout of a borrowed connection (request bytes went out). */
  @Override
  public void touch(Channel ch) {
    BackendHandler h = handler(ch);
    if (h != null) {
      h.touch();
    }
  }

  /** Suspends the server timeout while the client side cannot take more of the response. */
  @Override
  public void suspendTimeout(Channel ch, boolean suspended) {
    BackendHandler h = handler(ch);
    if (h != null) {
      h.suspendTimeout(suspended);
    }
  }

  /** Closes every idle pooled connection of the calling event loop (shutdown). */
  public void closeIdle() {
    for (Entry e : pools.get().entries.values()) {
      Channel ch;
      while ((ch = e.idle.pollFirst()) != null) {
        ch.close();
      }
      for (java.util.ArrayDeque<Channel> mine : List.copyOf(e.privateIdle.values())) {
        List.copyOf(mine).forEach(Channel::close);
      }
    }
  }

  /**
   * Closes the idle connections kept for {@code owner}, a client connection that closed (its event
   * loop).
   */
  @Override
  public void closePrivate(Object owner) {
    for (Entry e : pools.get().entries.values()) {
      java.util.ArrayDeque<Channel> mine = e.privateIdle.remove(owner);
      if (mine != null) {
        List.copyOf(mine).forEach(Channel::close);
      }
    }
  }

  private static BackendHandler handler(Channel ch) {
    // last on a pooled connection's pipeline: found without walking it (several times a request)
    return ch.pipeline().last() instanceof BackendHandler h
        ? h
        : ch.pipeline().get(BackendHandler.class);
  }

  private static final class Entry {
    final ArrayDeque<Channel> idle = new ArrayDeque<>();

    /**
     * Idle connections that carry a client's PROXY header, by the client connection they are kept
     * for.
     */
    final Map<Object, ArrayDeque<Channel>> privateIdle = new HashMap<>();

    int open;
    long idleTimeoutNanos;
  }

  private final class LoopPool {
    final Map<InetSocketAddress, Entry> entries = new HashMap<>();
    boolean sweepScheduled;

    void scheduleSweep(EventLoop loop) {
      if (!sweepScheduled) {
        sweepScheduled = true;
        loop.schedule(() -> sweep(loop), SWEEP_NANOS, TimeUnit.NANOSECONDS);
      }
    }

    void sweep(EventLoop loop) {
      sweepScheduled = false;
      long now = ticker.nanoTime();
      boolean any = false;
      for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
        Entry e = it.next();
        // Oldest idle connections are at the tail.
        Channel ch;
        while ((ch = e.idle.peekLast()) != null) {
          BackendHandler h = handler(ch);
          if (h == null || now - h.idleSinceNanos >= e.idleTimeoutNanos) {
            e.idle.pollLast();
            ch.close();
          } else {
            break;
          }
        }
        any |= !e.idle.isEmpty();
        for (ArrayDeque<Channel> mine : List.copyOf(e.privateIdle.values())) {
          for (Channel c : List.copyOf(mine)) {
            BackendHandler h = handler(c);
            if (h == null || now - h.idleSinceNanos >= e.idleTimeoutNanos) {
              c.close(); // its close listener takes it out of the map
            } else {
              any = true;
            }
          }
        }
        if (e.open == 0 && e.idle.isEmpty()) {
          it.remove();
        }
      }
      if (any) {
        scheduleSweep(loop);
      }
    }
  }
}
