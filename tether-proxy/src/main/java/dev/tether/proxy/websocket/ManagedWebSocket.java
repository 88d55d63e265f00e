package dev.tether.proxy.websocket;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.WebSocketConfig;
import dev.tether.proxy.tunnel.TunnelRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One managed WebSocket: a client connection that outlives its server's.
 *
 * <p>Design: both connections are framed by Netty's WebSocket13 codecs (the client side as a server
 * would, the backend side as a client would), so Tether relays whole frames as they come, counts
 * messages each way, answers every ping itself and pings the client on its own schedule. Frames are
 * relayed as they arrive rather than reassembled; a message is counted when its final frame passes.
 *
 * <p>Exactly once towards the backend: every client frame written to a backend is kept (one
 * retained duplicate) until its write has completed, i.e. reached the socket. When the backend
 * connection is lost, frames whose write never completed cannot have been seen by that server, so
 * they go first to the next one, followed by what the client sent meanwhile; frames whose write
 * completed are never sent again. If the lost server had taken part of a message (some of its
 * fragments), or the client had been given part of one, the message cannot be finished anywhere:
 * the client is closed with 1011. Otherwise the connection resumes: the {@link Dialer} picks a
 * server by the pool's affinity rules and opens a handshake with {@code Tether-WebSocket-Resume};
 * client messages arriving meanwhile are held (bounded by {@code websocket-buffer} messages and
 * {@code websocket-buffer-size} bytes, past which the client gets 1013), and when no server accepts
 * within {@code websocket-resume-timeout} the client gets 1013 as well.
 *
 * <p>A loss is: the backend connection closing or failing without a close handshake, or the server
 * sending close code 1001 (Going Away) or 1012 (Service Restart), which are about the server, not
 * the conversation. Any other close from either side is the conversation ending and is relayed. A
 * drain ({@link TunnelRegistry.Entry#goAway()}) moves the connection: the backend is sent 1001, its
 * remaining messages are relayed until its close arrives, then the connection resumes elsewhere;
 * the client sees nothing.
 *
 * <p>Confined to the client connection's event loop; backend connections are opened on it too.
 * Every frame has one owner: relayed, held, or released on every path (STYLE habit 6).
 */
public final class ManagedWebSocket {

  private static final Logger log = LoggerFactory.getLogger(ManagedWebSocket.class);

  /** Handler names in both pipelines. */
  static final String CLIENT_HANDLER = "managed-websocket";

  static final String BACKEND_HANDLER = "managed-websocket";

  static final int GOING_AWAY = 1001;
  static final int INTERNAL_ERROR = 1011;
  static final int SERVICE_RESTART = 1012;
  static final int TRY_AGAIN_LATER = 1013;

  /** How long a client told to close may take to send its own close frame. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** Waits between resume attempts: 50 ms doubling up to 1 s. */
  private static final long FIRST_BACKOFF_MILLIS = 50;

  private static final long MAX_BACKOFF_MILLIS = 1000;

  private enum State {
    /** Relaying between the client and a backend. */
    OPEN,
    /** A drain asked the backend to close; its last messages are relayed, the client's held. */
    MOVING,
    /** No backend: finding one, holding the client's messages. */
    RESUMING,
    /** A close handshake between the client and the backend is under way. */
    CLOSING,
    /** The client was sent a close frame of Tether's own, or is gone. */
    CLOSED
  }

  private final Channel client;
  private final WebSocketConfig config;
  private final Dialer dialer;
  private final TunnelRegistry registry;
  private final String id;

  /** Until the first backend is open, what the client sends is held as during a resume. */
  private State state = State.RESUMING;

  private Channel backend;
  private String server;

  /**
   * Bumped at every loss, so write completions of an earlier backend are not taken for this one's.
   */
  private int generation;

  /** Backend messages whose last frame was written to the client. */
  private long sent;

  /** The client has been given some, not all, of the frames of a backend message. */
  private boolean clientMidMessage;

  private final ClientFrames frames = new ClientFrames();
  private Future<?> resumeDeadline;
  private Future<?> retry;
  private Future<?> moveDeadline;
  private Future<?> pinger;
  private long backoffMillis = FIRST_BACKOFF_MILLIS;
  private long pings;
  private int resumes;

  /**
   * A managed connection between {@code client} and nothing yet; {@link #attach} gives it its first
   * backend. Installs the client-side handler at the end of {@code client}'s pipeline, which must
   * frame WebSocket already (server side of the codec).
   *
   * @param registry where each backend connection is registered for drains, or {@code null}
   */
  ManagedWebSocket(
      Channel client, WebSocketConfig config, Dialer dialer, TunnelRegistry registry, String id) {
    this.client = requireNonNull(client, "client");
    this.config = requireNonNull(config, "config");
    this.dialer = requireNonNull(dialer, "dialer");
    this.registry = registry;
    this.id = requireNonNull(id, "id");
    client.pipeline().addLast(CLIENT_HANDLER, new RelayHandlers.Client(this));
    long ping = config.ping().toNanos();
    if (ping > 0) {
      pinger = client.eventLoop().scheduleAtFixedRate(this::ping, ping, ping, TimeUnit.NANOSECONDS);
    }
  }

  /** The connection id sent to servers. */
  public String id() {
    return id;
  }

  /** Client messages forwarded to servers so far (their last frame reached the socket). */
  public long received() {
    return frames.received();
  }

  /** Server messages written to the client so far. */
  public long sent() {
    return sent;
  }

  /** Times the connection was opened on another server. */
  public int resumes() {
    return resumes;
  }

  /** The server the connection is on, or {@code null} while it finds one. */
  public String server() {
    return backend == null ? null : server;
  }

  // ---- backends --------------------------------------------------------------------------------

  /**
   * Makes {@code ch} (framed as a WebSocket client) this connection's backend: adds the
   * backend-side handler, registers it under {@code server}, sends it what is held, and starts
   * reading.
   */
  void attach(Channel ch, String server) {
    assert client.eventLoop().inEventLoop();
    backend = ch;
    this.server = server;
    ch.pipeline().addLast(BACKEND_HANDLER, new RelayHandlers.Backend(this, ch));
    if (registry != null) {
      Runnable remove = registry.add(new RelayHandlers.Entry(this, server, ch));
      ch.closeFuture().addListener(f -> remove.run());
    }
    // The caller takes the HTTP codec out once this returns, which hands on any frames that came
    // with the 101; what is held is sent after that, on the next turn of the loop.
    client.eventLoop().execute(() -> open(ch));
  }

  private void open(Channel ch) {
    if (backend != ch || state != State.RESUMING) {
      return;
    }
    state = State.OPEN;
    WebSocketFrame f;
    while ((f = frames.nextHeld()) != null) {
      toBackend(f);
    }
    ch.flush();
    ch.read();
    client.read();
  }

  private void toBackend(WebSocketFrame f) {
    Channel b = backend;
    int gen = generation;
    frames.writing(f.retainedDuplicate());
    b.write(f)
        .addListener(
            w -> {
              if (gen != generation) {
                return; // a frame of a backend already given up; its copy was moved on or released
              }
              if (w.isSuccess()) {
                frames.confirmed();
              } else if (b.isActive()) {
                b.close(); // a write that failed on an open connection: treat the connection as
                // lost
              }
            });
  }

  /**
   * The backend connection is gone (or going): resume elsewhere, or close the client if it cannot.
   */
  private void lost(String reason) {
    Channel old = backend;
    backend = null;
    generation++;
    cancel(moveDeadline);
    if (old != null && old.isActive()) {
      old.close();
    }
    if (state == State.CLOSED) {
      return;
    }
    if (clientMidMessage) {
      fail(INTERNAL_ERROR, "the server was lost in the middle of a message to you");
      return;
    }
    if (frames.backendMidMessage()) {
      fail(INTERNAL_ERROR, "the server was lost in the middle of your message");
      return;
    }
    frames.requeueUnconfirmed();
    state = State.RESUMING;
    log.info(
        "websocket {}: {}; resuming (received={}, sent={}, held={})",
        id,
        reason,
        frames.received(),
        sent,
        frames.heldMessages());
    if (overBound()) {
      return;
    }
    backoffMillis = FIRST_BACKOFF_MILLIS;
    resumeDeadline =
        client
            .eventLoop()
            .schedule(
                () -> {
                  if (state == State.RESUMING) {
                    fail(
                        TRY_AGAIN_LATER,
                        "no server accepted the connection within "
                            + config.resumeTimeout().toMillis()
                            + " ms");
                  }
                },
                config.resumeTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
    dial();
    client.read();
  }

  private void dial() {
    retry = null;
    if (state != State.RESUMING) {
      return;
    }
    int gen = generation;
    dialer.dial(
        WebSocketHeaders.resume(id, frames.received(), sent),
        new Dialer.Callback() {
          private boolean done;

          @Override
          public void accepted(Channel ch, String to) {
            if (done) {
              ch.close();
              return;
            }
            done = true;
            if (state != State.RESUMING || gen != generation) {
              ch.close(); // the client went away or closed meanwhile
              return;
            }
            cancel(resumeDeadline);
            resumes++;
            log.info(
                "websocket {}: resumed on {} (received={}, sent={}, held={})",
                id,
                to,
                frames.received(),
                sent,
                frames.heldMessages());
            attach(ch, to);
          }

          @Override
          public void refused(String reason) {
            if (done) {
              return;
            }
            done = true;
            if (state != State.RESUMING || gen != generation) {
              return;
            }
            log.debug("websocket {}: resume attempt refused: {}", id, reason);
            retry =
                client
                    .eventLoop()
                    .schedule(ManagedWebSocket.this::dial, backoffMillis, TimeUnit.MILLISECONDS);
            backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
          }
        });
  }

  /** A drain asks the connection to move: 1001 to the backend, then resume once it has closed. */
  void move() {
    if (state != State.OPEN || backend == null) {
      return;
    }
    state = State.MOVING;
    Channel b = backend;
    b.writeAndFlush(new CloseWebSocketFrame(GOING_AWAY, "moving to another server"));
    long wait = Math.min(config.resumeTimeout().toNanos(), CLOSE_GRACE.toNanos());
    moveDeadline =
        client
            .eventLoop()
            .schedule(
                () -> {
                  if (state == State.MOVING && backend == b) {
                    lost("server " + server + " did not answer the drain's close in time");
                  }
                },
                wait,
                TimeUnit.NANOSECONDS);
  }

  // ---- frames ----------------------------------------------------------------------------------

  private void fromClient(WebSocketFrame f) {
    switch (f) {
      case PingWebSocketFrame ping -> client.writeAndFlush(new PongWebSocketFrame(ping.content()));
      case PongWebSocketFrame pong -> pong.release();
      case CloseWebSocketFrame close -> clientClose(close);
      default -> {
        if (state == State.OPEN) {
          toBackend(f);
        } else if (state == State.MOVING || state == State.RESUMING) {
          hold(f);
        } else {
          f.release(); // the conversation is closing
        }
      }
    }
  }

  private void hold(WebSocketFrame f) {
    frames.hold(f);
    overBound();
  }

  /** Whether what is held is past the bound; if so the client has been closed with 1013. */
  private boolean overBound() {
    if (frames.heldMessages() > config.buffer()) {
      fail(
          TRY_AGAIN_LATER,
          "more than " + config.buffer() + " messages arrived while the server was being replaced");
      return true;
    }
    if (frames.heldBytes() > config.bufferSize()) {
      fail(
          TRY_AGAIN_LATER,
          "more than "
              + config.bufferSize()
              + " bytes arrived while the server was being replaced");
      return true;
    }
    return false;
  }

  private void clientClose(CloseWebSocketFrame close) {
    switch (state) {
      case OPEN -> {
        state = State.CLOSING;
        backend.writeAndFlush(close);
      }
      case CLOSING, CLOSED -> {
        // The client's answer to a close, or its own after it was told: the conversation is over.
        close.release();
        end();
      }
      default -> {
        // No server to tell (or it is being let go): answer for it.
        int code = close.statusCode();
        close.release();
        fail(code < 0 ? 1000 : code, "");
      }
    }
  }

  private void fromBackend(Channel from, WebSocketFrame f) {
    if (from != backend) {
      f.release();
      return;
    }
    switch (f) {
      case PingWebSocketFrame ping -> from.writeAndFlush(new PongWebSocketFrame(ping.content()));
      case PongWebSocketFrame pong -> pong.release();
      case CloseWebSocketFrame close -> backendClose(from, close);
      default -> {
        if (state == State.CLOSED) {
          f.release();
          return;
        }
        boolean last = f.isFinalFragment();
        client.write(f, client.voidPromise());
        clientMidMessage = !last;
        if (last) {
          sent++;
        }
      }
    }
  }

  private void backendClose(Channel from, CloseWebSocketFrame close) {
    int code = close.statusCode();
    switch (state) {
      case MOVING -> {
        close.release();
        lost("server " + server + " closed for the drain");
      }
      case CLOSING -> {
        // The server's answer to the client's close: pass it on; the server side closes the TCP
        // connection first (RFC 6455 §7.1.1), and the client sends nothing after its close.
        state = State.CLOSED;
        cleanup();
        client.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
      }
      case CLOSED -> {
        close.release();
        from.close();
      }
      default -> {
        if (code == GOING_AWAY || code == SERVICE_RESTART) {
          close.release();
          from.writeAndFlush(new CloseWebSocketFrame(code, ""))
              .addListener(ChannelFutureListener.CLOSE);
          lost("server " + server + " is going away (" + code + ")");
          return;
        }
        // The application ends the conversation: the client answers, then both close.
        state = State.CLOSING;
        client.writeAndFlush(close);
      }
    }
  }

  private void backendInactive(Channel ch) {
    if (ch != backend) {
      return;
    }
    if (state == State.OPEN || state == State.MOVING || state == State.RESUMING) {
      lost("the connection to server " + server + " closed");
    } else if (state == State.CLOSING) {
      backend = null;
      frames.dropUnconfirmed();
      closeLater();
    }
  }

  private void ping() {
    if (state != State.CLOSED && client.isActive()) {
      client.writeAndFlush(new PingWebSocketFrame(Unpooled.copyLong(++pings)));
    }
  }

  // ---- ending ----------------------------------------------------------------------------------

  /** Closes the client with {@code code} and {@code reason} (a close frame of Tether's own). */
  private void fail(int code, String reason) {
    if (state == State.CLOSED) {
      return;
    }
    State was = state;
    state = State.CLOSED;
    if (code != 1000) {
      log.info(
          "websocket {}: closing the client with {} ({}) while {}",
          id,
          code,
          reason,
          was.name().toLowerCase(java.util.Locale.ROOT));
    }
    frames.releaseAll();
    if (backend != null) {
      Channel b = backend;
      backend = null;
      generation++;
      b.close();
    }
    cancelTimers();
    if (client.isActive()) {
      client.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(f -> closeLater());
      client.read(); // the client's own close frame ends it sooner
    }
  }

  /** The client connection closes after {@link #CLOSE_GRACE} unless it closes first. */
  private void closeLater() {
    client
        .eventLoop()
        .schedule(
            () -> {
              if (client.isActive()) {
                client.close();
              }
            },
            CLOSE_GRACE.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /** Both sides are done: close everything now. */
  private void end() {
    state = State.CLOSED;
    cleanup();
    client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  /** Lets go of everything this connection holds; safe to call more than once. */
  private void cleanup() {
    state = State.CLOSED;
    cancelTimers();
    frames.releaseAll();
    if (backend != null) {
      Channel b = backend;
      backend = null;
      generation++;
      b.close();
    }
  }

  private void cancelTimers() {
    dialer.cancel();
    cancel(resumeDeadline);
    cancel(retry);
    cancel(moveDeadline);
    cancel(pinger);
  }

  private static void cancel(Future<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  // ---- what the handlers report ({@link RelayHandlers})
  // ------------------------------------------

  void clientRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof WebSocketFrame f && state != State.CLOSED) {
      fromClient(f);
    } else if (msg instanceof CloseWebSocketFrame close && state == State.CLOSED) {
      close.release();
      ctx.close(); // the client's answer to Tether's own close
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  void clientReadComplete(ChannelHandlerContext ctx) {
    Channel b = backend;
    if (b != null) {
      b.flush();
    }
    // Without a backend the client is read on: the bounds end the connection first.
    if (state != State.OPEN || b == null || b.isWritable()) {
      ctx.read();
    }
  }

  void clientWritable() {
    Channel b = backend;
    if (b != null) {
      b.read();
    }
  }

  void clientIdle() {
    fail(GOING_AWAY, "idle for too long");
  }

  void clientGone(Throwable cause) {
    if (cause != null) {
      log.debug("websocket {}: client connection failed: {}", id, cause.toString());
    }
    cleanup();
  }

  void backendRead(Channel from, Object msg) {
    if (msg instanceof WebSocketFrame f) {
      fromBackend(from, f);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  void backendReadComplete(ChannelHandlerContext ctx, Channel from) {
    client.flush();
    if (from == backend && (client.isWritable() || !client.isActive())) {
      ctx.read();
    }
  }

  void backendWritable(Channel from) {
    if (from == backend) {
      client.read();
    }
  }

  void backendGone(Channel from) {
    backendInactive(from);
  }

  void backendFailed(Throwable cause) {
    log.debug("websocket {}: connection to {} failed: {}", id, server, cause.toString());
  }

  /** A drain asked {@code from}'s connection to go away; on the event loop. */
  void drainAsked(Channel from) {
    if (backend == from) {
      move();
    }
  }

  /** Closes the client with 1001 (the balancer closes the connection); on the event loop. */
  void closeByBalancer() {
    fail(GOING_AWAY, "closed by the balancer");
  }

  Channel client() {
    return client;
  }
}
