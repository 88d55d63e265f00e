package dev.tether.demo.chat;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/** The memory store's chat: this instance only, nothing replicated (what memory means). */
public final class LocalChatBus implements ChatBus {

  private final ArrayDeque<ChatMessage> log = new ArrayDeque<>();
  private volatile Consumer<ChatMessage> subscriber = m -> {};

  @Override
  public void publish(ChatMessage m) {
    synchronized (log) {
      log.addLast(m);
      while (log.size() > HISTORY) {
        log.removeFirst();
      }
    }
    subscriber.accept(m);
  }

  @Override
  public List<ChatMessage> history() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  private final java.util.Map<String, String> sent = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public void putSent(String connection, String log) {
    sent.put(connection, log);
  }

  @Override
  public String sent(String connection) {
    return sent.get(connection);
  }

  @Override
  public void forgetSent(String connection) {
    sent.remove(connection);
  }

  @Override
  public void subscribe(Consumer<ChatMessage> s) {
    subscriber = s;
  }

  @Override
  public void close() {
    subscriber = m -> {};
  }
}
