package dev.tether.demo.chat;

import static java.util.Objects.requireNonNull;

import dev.tether.session.grid.GridMember;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.context.Flag;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;

/**
 * The grid's chat: a {@code REPL_SYNC} cache {@value #CACHE} on the instance's own grid member,
 * keyed by message id (time-ordered), holding the room's last {@link ChatBus#HISTORY} messages. A
 * put returns once every member holds the message, and each member's local listener sees the entry
 * created there, so every instance's subscriber gets every message, its own included. The publisher
 * trims the oldest entries beyond the history. Values are JSON strings (ProtoStream carries {@code
 * String} natively, no schema).
 *
 * <p>The listener is asynchronous ({@code sync = false}): replication never waits for WebSocket
 * writes. It is added after the cache has its initial state, so a (re)joining member does not
 * replay the history to its subscriber; history is sent to each new socket by the room.
 */
public final class GridChatBus implements ChatBus {

  /** The name of the replicated cache holding the room. */
  public static final String CACHE = "tether-demo-chat";

  /** The name of the replicated cache holding what each managed WebSocket was sent. */
  public static final String SENT_CACHE = "tether-demo-chat-sent";

  private final Cache<String, String> room;
  private final Cache<String, String> sentLogs;
  private final Created listener = new Created();
  private volatile Consumer<ChatMessage> subscriber = m -> {};

  /** A bus over {@code member}'s chat cache, defining the cache on first use. */
  public GridChatBus(GridMember member) {
    requireNonNull(member, "member");
    EmbeddedCacheManager manager = member.cacheManager();
    synchronized (manager) {
      if (manager.getCacheConfiguration(CACHE) == null) {
        ConfigurationBuilder b = new ConfigurationBuilder();
        b.clustering().cacheMode(CacheMode.REPL_SYNC).stateTransfer().awaitInitialTransfer(true);
        b.statistics().disable();
        manager.defineConfiguration(CACHE, b.build());
      }
      if (manager.getCacheConfiguration(SENT_CACHE) == null) {
        ConfigurationBuilder b = new ConfigurationBuilder();
        b.clustering().cacheMode(CacheMode.REPL_SYNC).stateTransfer().awaitInitialTransfer(true);
        b.expiration().lifespan(SENT_KEPT.toMillis());
        b.statistics().disable();
        manager.defineConfiguration(SENT_CACHE, b.build());
      }
    }
    this.room = manager.getCache(CACHE);
    this.sentLogs = manager.getCache(SENT_CACHE);
    room.addListener(listener);
  }

  @Override
  public void publish(ChatMessage m) {
    room.put(m.id(), m.encode());
    List<String> keys = new ArrayList<>(local().keySet());
    if (keys.size() > HISTORY) {
      keys.sort(null);
      for (String old : keys.subList(0, keys.size() - HISTORY)) {
        room.remove(old);
      }
    }
  }

  @Override
  public List<ChatMessage> history() {
    TreeMap<String, String> sorted = new TreeMap<>(local());
    List<ChatMessage> all = new ArrayList<>(sorted.size());
    sorted.values().forEach(v -> all.add(ChatMessage.decode(v)));
    return ChatBus.last(all);
  }

  private java.util.Map<String, String> local() {
    // replicated: every member holds every entry, so the local view is the whole room
    java.util.Map<String, String> copy = new java.util.HashMap<>();
    room.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).forEach(copy::put);
    return copy;
  }

  @Override
  public void putSent(String connection, String log) {
    sentLogs.put(connection, log);
  }

  @Override
  public String sent(String connection) {
    return sentLogs.get(connection);
  }

  @Override
  public void forgetSent(String connection) {
    sentLogs.remove(connection);
  }

  @Override
  public void subscribe(Consumer<ChatMessage> s) {
    subscriber = requireNonNull(s, "subscriber");
  }

  @Override
  public void close() {
    subscriber = m -> {};
    try {
      room.removeListener(listener);
    } catch (RuntimeException e) {
      // the member is already stopped (a crash): nothing left to remove
    }
  }

  /** Hands each message created on this member to the subscriber. */
  @Listener(sync = false)
  public final class Created {
    @CacheEntryCreated
    public void created(CacheEntryCreatedEvent<String, String> e) {
      if (!e.isPre() && e.getValue() != null) {
        subscriber.accept(ChatMessage.decode(e.getValue()));
      }
    }
  }
}
