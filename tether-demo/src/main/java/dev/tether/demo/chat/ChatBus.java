package dev.tether.demo.chat;

import java.util.List;
import java.util.function.Consumer;

/**
 * Carries the chat room between application instances through the session store's own
 * publish/subscribe, and keeps the room's last {@value #HISTORY} messages in the store. One bus per
 * instance; {@link #publish} on any instance reaches the subscriber of every instance (this one
 * included), at least once and, per publisher, in order.
 *
 * <p>Implementations: {@link LocalChatBus} (memory: this instance only), {@link GridChatBus} (a
 * replicated Infinispan cache with listeners), {@link RedisChatBus} (pub/sub and a list), {@link
 * JdbcChatBus} (a table, polled) and {@link FileChatBus} (a directory, polled). Thread-safe.
 */
public interface ChatBus extends AutoCloseable {

  /** How many messages the room keeps. */
  int HISTORY = 50;

  /** How long a connection's sent log is kept after its last write. */
  java.time.Duration SENT_KEPT = java.time.Duration.ofDays(1);

  /** Sends {@code m} to every instance's subscriber and into the room's history. */
  void publish(ChatMessage m);

  /** The room's last messages, oldest first, at most {@link #HISTORY}. */
  List<ChatMessage> history();

  /**
   * Sets the one subscriber of this instance; it is called on the bus's own threads, must be quick,
   * and may be called more than once for one message (receivers drop repeats by id).
   */
  void subscribe(Consumer<ChatMessage> subscriber);

  /**
   * Stores {@code log} (a {@link SentLog}'s encoding) under the managed WebSocket {@code
   * connection}, replacing what was there, beside the room and as widely shared; kept about a day.
   * One writer per connection at a time (the instance it is on).
   */
  void putSent(String connection, String log);

  /** What {@link #putSent} stored under {@code connection}, or {@code null}. */
  String sent(String connection);

  /** Forgets {@code connection}'s log (the conversation ended). */
  void forgetSent(String connection);

  /** Stops delivering and releases what this bus holds (not the store's shared data). */
  @Override
  void close();

  /** The last {@link #HISTORY} of {@code sorted} (oldest first). */
  static List<ChatMessage> last(List<ChatMessage> sorted) {
    return List.copyOf(sorted.subList(Math.max(0, sorted.size() - HISTORY), sorted.size()));
  }
}
