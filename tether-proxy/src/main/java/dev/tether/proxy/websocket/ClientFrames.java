package dev.tether.proxy.websocket;

import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayDeque;

/**
 * A managed connection's client frames on their way to a backend: those written whose write has not
 * completed ({@code unconfirmed}, one retained duplicate each), and those held while there is no
 * backend to write to. Counts the client messages a backend has taken whole. Confined to the
 * connection's event loop; owns every frame it holds until {@link #releaseAll}.
 */
final class ClientFrames {

  private final ArrayDeque<WebSocketFrame> unconfirmed = new ArrayDeque<>();
  private final ArrayDeque<WebSocketFrame> held = new ArrayDeque<>();
  private int heldMessages;
  private long heldBytes;
  private long received;
  private boolean backendMidMessage;

  /**
   * A frame is being written to the backend; {@code copy} (a retained duplicate) is kept until it
   * is.
   */
  void writing(WebSocketFrame copy) {
    unconfirmed.add(copy);
  }

  /** The oldest write completed: it reached the backend's socket. */
  void confirmed() {
    WebSocketFrame f = unconfirmed.poll();
    if (f == null) {
      return;
    }
    if (isData(f)) {
      if (f.isFinalFragment()) {
        received++;
        backendMidMessage = false;
      } else {
        backendMidMessage = true;
      }
    }
    f.release();
  }

  /**
   * The backend is lost: frames whose write never completed go back in front of those held, in
   * order, for the next backend (the lost one cannot have seen them).
   */
  void requeueUnconfirmed() {
    WebSocketFrame f;
    while ((f = unconfirmed.pollLast()) != null) {
      held.addFirst(f);
      count(f);
    }
  }

  /** Holds {@code f} until there is a backend again. */
  void hold(WebSocketFrame f) {
    held.add(f);
    count(f);
  }

  private void count(WebSocketFrame f) {
    heldBytes += f.content().readableBytes();
    heldMessages += f instanceof ContinuationWebSocketFrame ? 0 : 1;
  }

  /** The oldest held frame, or {@code null} when none is left (the counts start again from 0). */
  WebSocketFrame nextHeld() {
    WebSocketFrame f = held.poll();
    if (f == null) {
      heldMessages = 0;
      heldBytes = 0;
    }
    return f;
  }

  /** Held messages (a message counts from its first frame). */
  int heldMessages() {
    return heldMessages;
  }

  long heldBytes() {
    return heldBytes;
  }

  /** Client messages whose last frame reached a backend's socket. */
  long received() {
    return received;
  }

  /** A backend has taken some, not all, of the frames of a client message. */
  boolean backendMidMessage() {
    return backendMidMessage;
  }

  /** Lets go of every frame, held or unconfirmed. */
  void releaseAll() {
    WebSocketFrame f;
    while ((f = held.poll()) != null) {
      f.release();
    }
    while ((f = unconfirmed.poll()) != null) {
      f.release();
    }
    heldMessages = 0;
    heldBytes = 0;
  }

  /**
   * Lets go of the unconfirmed frames only (the conversation is closing: nothing will be resent).
   */
  void dropUnconfirmed() {
    WebSocketFrame f;
    while ((f = unconfirmed.poll()) != null) {
      f.release();
    }
  }

  static boolean isData(WebSocketFrame f) {
    return !(f instanceof PingWebSocketFrame
        || f instanceof PongWebSocketFrame
        || f instanceof CloseWebSocketFrame);
  }
}
