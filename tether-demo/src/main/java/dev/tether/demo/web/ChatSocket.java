package dev.tether.demo.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.demo.chat.ChatMessage;
import dev.tether.demo.chat.ChatRoom;
import dev.tether.demo.chat.Resume;
import java.io.IOException;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * One chat client's socket (public only because Jetty calls its methods through public method
 * handles). Client frames are {@code {"text": "..."}}; what clients receive is described in {@link
 * ChatRoom}. A bad frame gets {@code {"error": "..."}} back; a frame after the session ended
 * (logout on any instance, expiry) closes the socket with 1008 (policy violation). A socket of a
 * managed WebSocket (behind Tether with {@code websocket: managed}) records what it is sent under
 * the connection's id; when the balancer resumes the connection on another instance, that instance
 * sends the client exactly the room messages it missed ({@link ChatRoom#join(String,
 * java.util.function.Consumer, String, Resume)}).
 */
public final class ChatSocket extends Session.Listener.AbstractAutoDemanding {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final InstanceContext ctx;
  private final String user;
  private final String sessionId;
  private final String connection;
  private final Resume resume;
  private volatile ChatRoom.Member member;

  /**
   * @param connection the managed WebSocket's id ({@code Tether-WebSocket-Id}), or {@code null}
   * @param resume what the balancer says when it continues the connection here, or {@code null}
   */
  ChatSocket(InstanceContext ctx, String user, String sessionId, String connection, Resume resume) {
    this.ctx = ctx;
    this.user = user;
    this.sessionId = sessionId;
    this.connection = connection;
    this.resume = resume;
  }

  @Override
  public void onWebSocketOpen(Session session) {
    super.onWebSocketOpen(session);
    member =
        ctx.room().join(user, frame -> session.sendText(frame, Callback.NOOP), connection, resume);
  }

  @Override
  public void onWebSocketText(String message) {
    Session session = getSession();
    String text = text(message);
    if (text == null) {
      ObjectNode err =
          JSON.createObjectNode()
              .put(
                  "error",
                  "send a JSON object {\"text\": \"...\"} with 1 to "
                      + ChatMessage.MAX_TEXT
                      + " characters of text");
      member.sendOther(err.toString());
      return;
    }
    if (ctx.manager().store().currentVersion(sessionId).isEmpty()) {
      session.close(
          StatusCode.POLICY_VIOLATION, "your session ended; sign in again", Callback.NOOP);
      return;
    }
    member.say(text);
  }

  private static String text(String frame) {
    try {
      JsonNode n = JSON.readTree(frame);
      if (n != null && n.isObject() && n.get("text") != null && n.get("text").isTextual()) {
        String t = n.get("text").asText().strip();
        return t.isEmpty() || t.length() > ChatMessage.MAX_TEXT ? null : t;
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    leave();
    // 1001: the balancer moving the connection (a drain) or this instance stopping; 1006: cut.
    // Either way the conversation may go on elsewhere, so what it was sent is kept.
    if (statusCode != StatusCode.SHUTDOWN && statusCode != StatusCode.ABNORMAL) {
      ctx.room().ended(connection);
    }
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    leave();
  }

  private void leave() {
    ChatRoom.Member m = member;
    if (m != null) {
      m.leave();
    }
  }
}
