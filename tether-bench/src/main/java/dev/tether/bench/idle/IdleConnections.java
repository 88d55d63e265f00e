package dev.tether.bench.idle;

import dev.tether.bench.load.LoadTarget;
import dev.tether.proxy.config.Transport;
import dev.tether.proxy.transport.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens kept-alive client connections over a non-blocking Netty client on one event loop and holds
 * them open, idle. Connections are opened in batches of {@value #BATCH} so the listener's accept
 * backlog never overflows; with {@code request} each one first sends a {@code GET} and reads its
 * whole response, so the balancer has served a request on it before it idles.
 *
 * <p>Not thread-safe: one caller thread drives it; the channels live on the client's event loop.
 */
final class IdleConnections implements AutoCloseable {

  static final int BATCH = 200;
  private static final long BATCH_TIMEOUT_SECONDS = 30;

  private final LoadTarget target;
  private final String path;
  private final NettyTransport transport;
  private final EventLoopGroup group;
  private final List<Channel> channels = new ArrayList<>();

  /** Responses with a status outside 2xx/3xx, or connections that failed before their response. */
  private final AtomicInteger failedRequests = new AtomicInteger();

  /** Why the first connection that failed to open failed, or {@code null}. */
  private final AtomicReference<String> firstFailure = new AtomicReference<>();

  IdleConnections(LoadTarget target, String path) {
    this.target = target;
    this.path = path;
    this.transport = NettyTransport.resolve(Transport.AUTO);
    this.group = transport.newGroup(1, "tether-idle");
  }

  /**
   * Opens {@code n} more connections (sending a request on each when {@code request}) and keeps
   * them; returns how many opened (and, with {@code request}, were answered).
   */
  int open(int n, boolean request) throws InterruptedException {
    int opened = 0;
    for (int start = 0; start < n; start += BATCH) {
      int size = Math.min(BATCH, n - start);
      CountDownLatch answered = new CountDownLatch(request ? size : 0);
      List<ChannelFuture> futures = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        futures.add(bootstrap(answered).connect(target.host(), target.port()));
      }
      for (ChannelFuture f : futures) {
        f.awaitUninterruptibly(BATCH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (f.isSuccess()) {
          channels.add(f.channel());
          if (request) {
            f.channel().writeAndFlush(request());
          }
          opened++;
        } else {
          firstFailure.compareAndSet(
              null, f.cause() == null ? "connect timed out" : f.cause().toString());
          if (request) {
            answered.countDown();
          }
        }
      }
      if (request && !answered.await(BATCH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "no response on "
                + answered.getCount()
                + " of "
                + size
                + " connections within "
                + BATCH_TIMEOUT_SECONDS
                + " s");
      }
    }
    return opened - (request ? failedRequests.getAndSet(0) : 0);
  }

  private Bootstrap bootstrap(CountDownLatch answered) {
    return new Bootstrap()
        .group(group)
        .channel(transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(
                        new HttpClientCodec(),
                        new ResponseCounter(answered, failedRequests, firstFailure));
              }
            });
  }

  /** A {@code GET} as an object, so the client codec knows which response it waits for. */
  private FullHttpRequest request() {
    FullHttpRequest r =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target.prefix() + path);
    r.headers()
        .set(HttpHeaderNames.HOST, target.hostHeader())
        .set(HttpHeaderNames.USER_AGENT, "tether-bench-idle");
    return r;
  }

  /** Why the first connection that could not be opened failed, or {@code null} when all opened. */
  String firstFailure() {
    return firstFailure.get();
  }

  /** Connections still open right now. */
  int stillOpen() {
    int n = 0;
    for (Channel ch : channels) {
      if (ch.isActive()) {
        n++;
      }
    }
    return n;
  }

  /** Closes every connection and the client's event loop. */
  @Override
  public void close() {
    for (Channel ch : channels) {
      ch.close();
    }
    channels.clear();
    Future<?> done = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    done.awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** Counts a connection's response down once, failed unless its status is 2xx or 3xx. */
  private static final class ResponseCounter extends SimpleChannelInboundHandler<HttpObject> {

    private final CountDownLatch answered;
    private final AtomicInteger failed;
    private final AtomicReference<String> firstFailure;
    private boolean counted;
    private String status;

    ResponseCounter(
        CountDownLatch answered, AtomicInteger failed, AtomicReference<String> firstFailure) {
      this.answered = answered;
      this.failed = failed;
      this.firstFailure = firstFailure;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpResponse r) {
        int code = r.status().code();
        status = code >= 200 && code < 400 ? null : "response " + r.status();
      }
      if (msg instanceof LastHttpContent) {
        count(status);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      count("connection closed before its response");
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      count(cause.toString());
      ctx.close();
    }

    /** Counts the response once; {@code failure} is why it failed, or {@code null}. */
    private void count(String failure) {
      if (!counted && answered.getCount() > 0) {
        counted = true;
        if (failure != null) {
          failed.incrementAndGet();
          firstFailure.compareAndSet(null, failure);
        }
        answered.countDown();
      }
    }
  }
}
