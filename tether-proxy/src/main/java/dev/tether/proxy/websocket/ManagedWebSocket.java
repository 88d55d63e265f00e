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
 * <p>Exactly once towards the backend ({@link ClientFrames}): a client frame goes to the next
 * server only if its write to the lost one never completed. If the lost server had taken part of a
 * message (some of its fragments), or the client had been given part of one, the message cannot be
 * finished anywhere: the client is closed with 1011. Otherwise the connection resumes ({@link
 * Resumer}): the {@link Dialer} picks a server by the pool's affinity rules and opens a handshake
 * with {@code Tether-WebSocket-Resume}; client messages arriving meanwhile are held (bounded by
 * {@code websocket-buffer} messages and {@code websocket-buffer-size} bytes, past which the client
 * gets 1013), and when no server accepts within {@code websocket-resume-timeout} the client gets
 * 1013 as well.
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
  private final TunnelRegistry registry;
  private final String id;

  /** Until the first backend is open, what the client sends is held as during a resume. */
  private State state = State.RESUMING;

  private Channel backend;
  private String server;

  private final ClientFrames frames;
  private final ServerFrames toClient = new ServerFrames();
  private final Resumer resumer;
  private final Timers timers;

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
    requireNonNull(config, "config");
    requireNonNull(dialer, "dialer");
    this.registry = registry;
    this.id = requireNonNull(id, "id");
    frames = new ClientFrames(config.buffer(), config.bufferSize());
    resumer = new Resumer(this, client.eventLoop(), dialer, config.resumeTimeout());
    client.pipeline().addLast(CLIENT_HANDLER, new RelayHandlers.Client(this));
    timers = new Timers(client, config);
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
    return toClient.sent();
  }

  /** Times the connection was opened on another server. */
  public int resumes() {
    return resumer.resumes();
  }

  /** The server the connection is on, or {@code null} while it finds one. */
  public String server() {
    return backend == null ? null : server;
  }

  // ---- what its handlers and its resumer read --------------------------------------------------

  /** The backend connection, or {@code null} while there is none. */
  Channel backend() {
    return backend;
  }

  /** Whether the client's frames go straight to the backend (rather than being held or dropped). */
  boolean relaying() {
    return state == State.OPEN;
  }

  /** Whether the connection is looking for a server; {@link Resumer} attempts end when not. */
  boolean resuming() {
    return state == State.RESUMING;
  }

  /** Client messages held until there is a backend again. */
  int held() {
    return frames.heldMessages();
  }

  Channel client() {
    return client;
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
      frames.write(backend, f);
    }
    ch.flush();
    ch.read();
    client.read();
  }

  /** The backend connection is gone (or going): resume elsewhere, or close the client if not. */
  private void lost(String reason) {
    Channel old = backend;
    backend = null;
    frames.backendLetGo();
    timers.moved();
    if (old != null && old.isActive()) {
      old.close();
    }
    if (state == State.CLOSED) {
      return;
    }
    if (toClient.clientMidMessage()) {
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
        toClient.sent(),
        frames.heldMessages());
    if (overBound()) {
      return;
    }
    resumer.start();
    client.read();
  }

  /**
   * A drain asked {@code from}'s connection to go away: if it is this connection's backend, it is
   * sent 1001, and the connection resumes once it has closed; on the event loop.
   */
  void drainAsked(Channel from) {
    if (backend != from || state != State.OPEN) {
      return;
    }
    state = State.MOVING;
    Channel b = backend;
    b.writeAndFlush(new CloseWebSocketFrame(GOING_AWAY, "moving to another server"));
    timers.moving(
        () -> {
          if (state == State.MOVING && backend == b) {
            lost("server " + server + " did not answer the drain's close in time");
          }
        });
  }

  // ---- frames ----------------------------------------------------------------------------------

  private void fromClient(WebSocketFrame f) {
    switch (f) {
      case PingWebSocketFrame ping -> client.writeAndFlush(new PongWebSocketFrame(ping.content()));
      case PongWebSocketFrame pong -> pong.release();
      case CloseWebSocketFrame close -> clientClose(close);
      default -> {
        if (state == State.OPEN) {
          frames.write(backend, f);
        } else if (state == State.MOVING || state == State.RESUMING) {
          frames.hold(f);
          overBound();
        } else {
          f.release(); // the conversation is closing
        }
      }
    }
  }

  /** Whether what is held is past the bound; if so the client has been closed with 1013. */
  private boolean overBound() {
    String past = frames.overBound();
    if (past != null) {
      fail(TRY_AGAIN_LATER, past);
    }
    return past != null;
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

  /** A frame from {@code from}, which may be a backend already let go ({@link RelayHandlers}). */
  void backendRead(Channel from, WebSocketFrame f) {
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
        toClient.relay(client, f);
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

  /** {@code ch}'s connection closed ({@link RelayHandlers}). */
  void backendGone(Channel ch) {
    if (ch != backend) {
      return;
    }
    if (state == State.OPEN || state == State.MOVING || state == State.RESUMING) {
      lost("the connection to server " + server + " closed");
    } else if (state == State.CLOSING) {
      backend = null;
      frames.dropUnconfirmed();
      timers.closeLater();
    }
  }

  // ---- ending ----------------------------------------------------------------------------------

  /** Closes the client with {@code code} and {@code reason} (a close frame of Tether's own). */
  void fail(int code, String reason) {
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
    closeBackend();
    cancelTimers();
    if (client.isActive()) {
      client
          .writeAndFlush(new CloseWebSocketFrame(code, reason))
          .addListener(f -> timers.closeLater());
      client.read(); // the client's own close frame ends it sooner
    }
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
    closeBackend();
  }

  /** Lets go of the backend connection, if any, and closes it. */
  private void closeBackend() {
    if (backend != null) {
      Channel b = backend;
      backend = null;
      frames.backendLetGo();
      b.close();
    }
  }

  private void cancelTimers() {
    resumer.cancel();
    timers.cancel();
  }

  // ---- what the handlers report ({@link RelayHandlers}) ----------------------------------------

  void clientRead(ChannelHandlerContext ctx, WebSocketFrame f) {
    if (state != State.CLOSED) {
      fromClient(f);
    } else if (f instanceof CloseWebSocketFrame close) {
      close.release();
      ctx.close(); // the client's answer to Tether's own close
    } else {
      f.release();
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

  void backendFailed(Throwable cause) {
    log.debug("websocket {}: connection to {} failed: {}", id, server, cause.toString());
  }

  /** Closes the client with 1001 (the balancer closes the connection); on the event loop. */
  void closeByBalancer() {
    fail(GOING_AWAY, "closed by the balancer");
  }
}
