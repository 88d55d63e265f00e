package dev.tether.demo.store;

import dev.tether.demo.DemoSettings;
import dev.tether.demo.chat.RedisChatBus;
import dev.tether.session.redis.RedisSessionStore;
import dev.tether.session.redis.RedisSessionStoreConfig;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;

/**
 * One Redis: sessions under {@code tether:<namespace>:session:}, the chat under {@code
 * tether:<namespace>:chat}. Each instance has its own connections; a crash closes them without any
 * last command (Redis keeps nothing per client that would need a goodbye). The session store sits
 * behind a circuit breaker ({@link StoreBackend#guarded}).
 */
final class RedisBackend implements StoreBackend {

  private final DemoSettings settings;
  private final Clock clock;
  private final String prefix;

  RedisBackend(DemoSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.prefix = "tether:" + settings.namespace() + ":";
  }

  @Override
  public InstanceStore open(String instance) {
    SessionStore store =
        StoreBackend.guarded(
            new RedisSessionStore(
                RedisSessionStoreConfig.standalone(settings.storeUri())
                    .withKeyPrefix(prefix + "session:"),
                clock),
            "redis",
            clock);
    RedisChatBus chat;
    try {
      chat = new RedisChatBus(settings.storeUri(), prefix);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    Runnable release =
        () -> {
          chat.close();
          store.close();
        };
    return new InstanceStore(store, chat, true, release, release);
  }

  @Override
  public void close() {}
}
