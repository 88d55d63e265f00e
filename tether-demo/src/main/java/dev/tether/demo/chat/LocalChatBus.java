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

  @Override
  public void subscribe(Consumer<ChatMessage> s) {
    subscriber = s;
  }

  @Override
  public void close() {
    subscriber = m -> {};
  }
}
