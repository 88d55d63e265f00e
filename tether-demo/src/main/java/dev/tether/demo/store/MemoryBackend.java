package dev.tether.demo.store;

import dev.tether.demo.chat.LocalChatBus;
import dev.tether.session.memory.MemorySessionStore;
import java.time.Clock;

/** Each instance its own sessions and chat: a killed instance takes its carts with it. */
final class MemoryBackend implements StoreBackend {

  private final Clock clock;

  MemoryBackend(Clock clock) {
    this.clock = clock;
  }

  @Override
  public InstanceStore open(String instance) {
    MemorySessionStore store = new MemorySessionStore(clock);
    LocalChatBus chat = new LocalChatBus();
    Runnable release =
        () -> {
          chat.close();
          store.close();
        };
    return new InstanceStore(store, chat, false, release, release);
  }

  @Override
  public void close() {}
}
