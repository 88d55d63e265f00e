package dev.tether.session.dropin;

import static java.util.Objects.requireNonNull;

import dev.tether.session.servlet.SessionCookie;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The drop-in's validated configuration, as {@link DropinConfigLoader} read it.
 *
 * @param source where it came from, for messages: the file, or the environment
 * @param store the store's name ({@code memory}, {@code file}, {@code redis}, {@code jdbc}, …)
 * @param storeSettings the store's settings, secrets resolved ({@code store.} stripped)
 * @param cookie the session cookie
 * @param idleTimeout {@code idle-timeout}, or empty to take the application's {@code
 *     <session-config><session-timeout>}
 * @param absoluteTimeout {@code absolute-timeout}, or empty for 8 hours (or the idle timeout when
 *     that is longer)
 * @param nearCache {@code near-cache}, or empty for on with every store but {@code memory} and
 *     {@code cookie} (which refuses it)
 */
public record DropinConfig(
    String source,
    String store,
    Map<String, String> storeSettings,
    SessionCookie cookie,
    Optional<Duration> idleTimeout,
    Optional<Duration> absoluteTimeout,
    Optional<Boolean> nearCache) {

  public DropinConfig {
    requireNonNull(source, "source");
    requireNonNull(store, "store");
    storeSettings = Map.copyOf(storeSettings);
    requireNonNull(cookie, "cookie");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(absoluteTimeout, "absoluteTimeout");
    requireNonNull(nearCache, "nearCache");
  }

  /** Whether sessions are cached in this JVM in front of the store. */
  public boolean nearCacheOn() {
    return nearCache.orElse(!store.equals("memory") && !store.equals("cookie"));
  }
}
