package dev.tether.bench.load;

import dev.tether.bench.load.scenario.HttpCall;
import dev.tether.bench.load.scenario.HttpReply;
import dev.tether.bench.load.scenario.UserFlow;
import dev.tether.bench.load.scenario.Verdict;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One virtual user: its own keep-alive connection, cookie jar and {@link UserFlow}, confined to one
 * event loop. A request is sent when the pacing says; the answer is checked by the flow and
 * counted; then the next is scheduled. A lost connection is re-opened for the next request.
 */
final class VirtualUser {

  private static final long FAILURE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final int id;
  private final UserFlow flow;
  private final EventLoop loop;
  private final LoadContext ctx;
  private final Bootstrap bootstrap;
  private final Map<String, String> cookies = new LinkedHashMap<>();
  private Channel channel;
  private HttpCall inFlight;
  private long intended;
  private long sentAt;
  private ScheduledFuture<?> timeout;

  /** The instance that answered this user last; read by the chaos and progress threads. */
  volatile String instance;

  VirtualUser(int id, UserFlow flow, EventLoop loop, LoadContext ctx) {
    this.id = id;
    this.flow = flow;
    this.loop = loop;
    this.ctx = ctx;
    this.bootstrap =
        ctx.bootstrap()
            .clone(loop)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            new HttpClientCodec(),
                            new HttpObjectAggregator(8 << 20),
                            new Handler(ch));
                  }
                });
  }

  void start(long startNanos) {
    intended = ctx.pacing().first(startNanos, id);
    loop.execute(this::scheduleNext);
  }

  private void scheduleNext() {
    if (intended - ctx.endNanos() >= 0) {
      finish();
      return;
    }
    long delay = intended - ctx.clock().getAsLong();
    if (delay > 0) {
      loop.schedule(this::send, delay, TimeUnit.NANOSECONDS);
    } else {
      send();
    }
  }

  private void send() {
    HttpCall call = flow.next();
    inFlight = call;
    sentAt = ctx.clock().getAsLong();
    timeout =
        loop.schedule(
            () -> fail(call, "no answer within " + ctx.timeout().toMillis() + " ms"),
            ctx.timeout().toNanos(),
            TimeUnit.NANOSECONDS);
    if (channel != null && channel.isActive()) {
      write(channel, call);
      return;
    }
    bootstrap
        .connect(ctx.target().host(), ctx.target().port())
        .addListener(
            (ChannelFuture f) -> {
              if (inFlight != call) {
                f.channel().close();
              } else if (f.isSuccess()) {
                channel = f.channel();
                write(channel, call);
              } else {
                fail(call, "cannot connect: " + f.cause().getMessage());
              }
            });
  }

  private void write(Channel ch, HttpCall call) {
    ByteBuf body =
        call.body() == null
            ? Unpooled.EMPTY_BUFFER
            : Unpooled.copiedBuffer(call.body(), StandardCharsets.UTF_8);
    DefaultFullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(call.method()),
            ctx.target().prefix() + call.path(),
            body);
    req.headers().set(HttpHeaderNames.HOST, ctx.hostHeader());
    call.headers().forEach(req.headers()::set);
    if (call.body() != null || call.unsafe()) {
      HttpUtil.setContentLength(req, body.readableBytes());
    }
    if (!cookies.isEmpty()) {
      StringBuilder c = new StringBuilder();
      cookies.forEach((k, v) -> c.append(c.isEmpty() ? "" : "; ").append(k).append('=').append(v));
      req.headers().set(HttpHeaderNames.COOKIE, c.toString());
    }
    ch.writeAndFlush(req)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                fail(call, "cannot send: " + f.cause().getMessage());
              }
            });
  }

  private void answered(Channel ch, FullHttpResponse resp) {
    HttpCall call = inFlight;
    if (ch != channel || call == null) {
      return;
    }
    for (String header : resp.headers().getAll(HttpHeaderNames.SET_COOKIE)) {
      Cookie c = ClientCookieDecoder.LAX.decode(header);
      if (c == null) {
        continue;
      }
      if (c.maxAge() == 0 || c.value().isEmpty()) {
        cookies.remove(c.name());
      } else {
        cookies.put(c.name(), c.value());
      }
    }
    if (!HttpUtil.isKeepAlive(resp)) {
      ch.close();
      channel = null;
    }
    HttpReply reply =
        new HttpReply(
            resp.status().code(),
            resp.content().toString(StandardCharsets.UTF_8),
            resp.headers().get(HttpReply.INSTANCE_HEADER));
    int s = reply.status();
    if (s == 502 || s == 503 || s == 504) {
      done(call, null, s + " from the balancer: " + reply.body());
    } else {
      done(call, reply, null);
    }
  }

  private void fail(HttpCall call, String reason) {
    if (inFlight != call) {
      return;
    }
    Channel ch = channel;
    channel = null;
    if (ch != null) {
      ch.close();
    }
    done(call, null, reason);
  }

  /**
   * Counts the outcome of {@code call}: {@code reply} when answered, else the failure {@code
   * reason}.
   */
  private void done(HttpCall call, HttpReply reply, String reason) {
    inFlight = null;
    if (timeout != null) {
      timeout.cancel(false);
    }
    long now = ctx.clock().getAsLong();
    LoadStats stats = ctx.stats();
    stats.latency(now - intended);
    stats.requests.increment();
    long at = TimeUnit.NANOSECONDS.toMillis(now - ctx.startNanos());
    if (reply == null) {
      flow.failed(call);
      stats.error(
          new Sample(at, id, call.method() + " " + call.path(), "an answer", reason, instance),
          true,
          call.unsafe() && ctx.inFlightAtKill(instance, sentAt, now));
    } else {
      stats.servedBy(reply.instance());
      if (reply.instance() != null) {
        instance = reply.instance();
      }
      Verdict v = flow.check(call, reply);
      switch (v.kind()) {
        case OK -> ctx.served(id, sentAt, now);
        case ERROR ->
            stats.error(
                new Sample(at, id, call.toString(), v.expected(), v.got(), reply.instance()),
                false,
                false);
        case LOST_SESSION ->
            stats.lost(
                new Sample(at, id, call.toString(), v.expected(), v.got(), reply.instance()));
      }
    }
    intended = ctx.pacing().next(intended, now);
    if (reply == null && intended - now < FAILURE_PAUSE_NANOS) {
      // no tight reconnect loop against a dead address: the next try waits a little
      intended = now + FAILURE_PAUSE_NANOS;
    }
    scheduleNext();
  }

  private void finish() {
    if (channel != null) {
      channel.close();
      channel = null;
    }
    ctx.userDone();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final Channel ch;

    Handler(Channel ch) {
      this.ch = ch;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext c, FullHttpResponse resp) {
      answered(ch, resp);
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
      if (ch == channel && inFlight != null) {
        fail(inFlight, "connection closed before the answer");
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
      if (ch == channel && inFlight != null) {
        fail(inFlight, "connection error: " + cause.getMessage());
      } else {
        c.close();
      }
    }
  }
}
