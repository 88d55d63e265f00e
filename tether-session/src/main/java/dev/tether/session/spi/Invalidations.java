package dev.tether.session.spi;

import java.util.function.Consumer;

/**
 * A store's publish/subscribe channel between the app instances sharing its backend, over which
 * near caches tell each other to drop a session (DESIGN §8): what lets a near cache serve a session
 * bound to its instance with no store round trip at all.
 *
 * <p>Contract: {@link #publish} returns once the message is handed to the backend (Redis {@code
 * PUBLISH}, a synchronous grid write); a subscriber hears every id published by the other store
 * instances on the backend, never its own, in the order published. Delivery to a subscriber that is
 * disconnected at that moment is not guaranteed; a subscriber that loses its subscription must say
 * so through {@code onLost} so the near cache drops everything. Thread-safe.
 *
 * <pre>{@code
 * Invalidations bus = store.invalidations();
 * AutoCloseable sub = bus.subscribe(cache::evict, cache::clear);
 * bus.publish(id);                 // before the change takes effect
 * }</pre>
 */
public interface Invalidations {

  /** Tells every other store instance on the backend that {@code id} changed or ended. */
  void publish(String id);

  /**
   * Whether the subscription currently hears every message; while not, a near cache must not serve
   * anything without validating it. The default: always.
   */
  default boolean live() {
    return true;
  }

  /**
   * Calls {@code onId} with every id the other store instances publish, and {@code onLost} when
   * messages may have been missed (the subscription broke); closing the result ends it.
   */
  AutoCloseable subscribe(Consumer<String> onId, Runnable onLost);
}
