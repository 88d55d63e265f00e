package dev.tether.proxy.websocket;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayDeque;

/**
 * A managed connection's client frames on their way to a backend: those written whose write has not
 * completed ({@code unconfirmed}, one retained duplicate each), and those held while there is no
 * backend to write to, within the bounds of {@code websocket-buffer} messages and {@code
 * websocket-buffer-size} bytes. Counts the client messages a backend has taken whole. Confined to
 * the connection's event loop; owns every frame it holds until {@link #releaseAll}.
 *
 * <p>Exactly once towards the backend: every client frame written to a backend is kept until its
 * write has completed, i.e. reached the socket. When the backend connection is lost, frames whose
 * write never completed cannot have been seen by that server, so they go first to the next one,
 * followed by what the client sent meanwhile; frames whose write completed are never sent again.
 */
final class ClientFrames {

  private final int maxHeldMessages;
  private final int maxHeldBytes;
  private final ArrayDeque<WebSocketFrame> unconfirmed = new ArrayDeque<>();
  private final ArrayDeque<WebSocketFrame> held = new ArrayDeque<>();
  private int heldMessages;
  private long heldBytes;
  private long received;
  private boolean backendMidMessage;

  /**
   * Bumped whenever a backend is let go, so write completions of an earlier backend are not taken
   * for this one's.
   */
  private int generation;

  /**
   * Frames held past {@code maxHeldMessages} messages or {@code maxHeldBytes} bytes are too many.
   */
  ClientFrames(int maxHeldMessages, int maxHeldBytes) {
    this.maxHeldMessages = maxHeldMessages;
    this.maxHeldBytes = maxHeldBytes;
  }

  /**
   * Writes {@code f} to {@code backend}, keeping a retained duplicate until the write completes; a
   * write that fails on an open connection closes it, which makes it lost.
   */
  void write(Channel backend, WebSocketFrame f) {
    int gen = generation;
    unconfirmed.add(f.retainedDuplicate());
    backend
        .write(f)
        .addListener(
            w -> {
              if (gen != generation) {
                return; // a frame of a backend already given up; its copy was moved on or released
              }
              if (w.isSuccess()) {
                confirmed();
              } else if (backend.isActive()) {
                backend.close();
              }
            });
  }

  /**
   * The backend written to is let go: completions of the writes still under way on it no longer
   * count (what they carry is requeued or released).
   */
  void backendLetGo() {
    generation++;
  }

  /** The oldest write completed: it reached the backend's socket. */
  private void confirmed() {
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

  /**
   * What is past the bound of what may be held, as the reason the client is told when it is closed
   * with 1013, or {@code null} when what is held is within it.
   */
  String overBound() {
    if (heldMessages > maxHeldMessages) {
      return "more than "
          + maxHeldMessages
          + " messages arrived while the server was being replaced";
    }
    if (heldBytes > maxHeldBytes) {
      return "more than " + maxHeldBytes + " bytes arrived while the server was being replaced";
    }
    return null;
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
