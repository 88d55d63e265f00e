package dev.tether.proxy.websocket;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The search for a managed connection's next server after a loss: one {@link Dialer} attempt at a
 * time with {@code Tether-WebSocket-Resume}, 50 ms doubling up to 1 s between refused attempts, and
 * 1013 for the client when no server has accepted within {@code websocket-resume-timeout}. Counts
 * the searches that found a server.
 *
 * <p>A class of its own because its attempts and timers are its own state: it meets its {@link
 * ManagedWebSocket} only when a search starts ({@link #start}), when it asks whether the connection
 * is still looking ({@link ManagedWebSocket#resuming}), when a server accepts (its connection
 * becomes the backend: {@link ManagedWebSocket#attach}) or the time is up ({@link
 * ManagedWebSocket#fail} with 1013), and when the connection ends ({@link #cancel}). Confined to
 * the connection's event loop; logs under {@link ManagedWebSocket}'s logger, the name operators
 * configure.
 */
final class Resumer {

  private static final Logger log = LoggerFactory.getLogger(ManagedWebSocket.class);

  /** Waits between resume attempts: 50 ms doubling up to 1 s. */
  private static final long FIRST_BACKOFF_MILLIS = 50;

  private static final long MAX_BACKOFF_MILLIS = 1000;

  private final ManagedWebSocket ws;
  private final EventLoop loop;
  private final Dialer dialer;
  private final Duration timeout;

  /** Bumped at every search, so an answer to an attempt of an earlier one is not taken for this. */
  private int search;

  private Future<?> deadline;
  private Future<?> retry;
  private long backoffMillis = FIRST_BACKOFF_MILLIS;
  private int resumes;

  Resumer(ManagedWebSocket ws, EventLoop loop, Dialer dialer, Duration timeout) {
    this.ws = ws;
    this.loop = loop;
    this.dialer = dialer;
    this.timeout = timeout;
  }

  /** Times a search ended with a server accepting the connection. */
  int resumes() {
    return resumes;
  }

  /** The connection has lost its server: starts the clock and the first attempt. */
  void start() {
    search++;
    backoffMillis = FIRST_BACKOFF_MILLIS;
    deadline =
        loop.schedule(
            () -> {
              if (ws.resuming()) {
                ws.fail(
                    ManagedWebSocket.TRY_AGAIN_LATER,
                    "no server accepted the connection within " + timeout.toMillis() + " ms");
              }
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    dial();
  }

  /** Gives up the attempt under way and the timers (the connection is closing). */
  void cancel() {
    dialer.cancel();
    Timers.cancel(deadline);
    Timers.cancel(retry);
  }

  private void dial() {
    retry = null;
    if (!ws.resuming()) {
      return;
    }
    int s = search;
    dialer.dial(
        WebSocketHeaders.resume(ws.id(), ws.received(), ws.sent()),
        new Dialer.Callback() {
          private boolean done;

          @Override
          public void accepted(Channel ch, String to) {
            if (done) {
              ch.close();
              return;
            }
            done = true;
            if (!ws.resuming() || s != search) {
              ch.close(); // the client went away or closed meanwhile
              return;
            }
            Timers.cancel(deadline);
            resumes++;
            log.info(
                "websocket {}: resumed on {} (received={}, sent={}, held={})",
                ws.id(),
                to,
                ws.received(),
                ws.sent(),
                ws.held());
            ws.attach(ch, to);
          }

          @Override
          public void refused(String reason) {
            if (done) {
              return;
            }
            done = true;
            if (!ws.resuming() || s != search) {
              return;
            }
            log.debug("websocket {}: resume attempt refused: {}", ws.id(), reason);
            retry = loop.schedule(Resumer.this::dial, backoffMillis, TimeUnit.MILLISECONDS);
            backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
          }
        });
  }
}
