package dev.tether.session.spring.boot;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code tether.session.*} properties. The store's own settings, {@code
 * tether.session.store.<setting>}, are those its {@code SessionStoreProvider} names (for {@code
 * redis}: {@code uri}, {@code mode}, {@code key-prefix}, {@code buckets}, {@code safety-margin},
 * {@code timeout}); they are read from the environment as they are, not bound here.
 *
 * <pre>{@code
 * tether.session.store=redis
 * tether.session.store.uri=redis://127.0.0.1:6379
 * tether.session.cookie.secure=false
 * }</pre>
 */
@ConfigurationProperties("tether.session")
public class TetherSessionProperties {

  /** Whether tether-session replaces the container's sessions. */
  private boolean enabled = true;

  /**
   * The session store: memory, file, redis, jdbc or grid (each but memory needs its module,
   * tether-session-NAME, on the class path). Its settings are tether.session.store.SETTING.
   */
  private String store = "memory";

  /** How long a session lives without a request; 30m when unset. */
  private Duration idleTimeout;

  /** How long a session lives at most, however busy; 8h when unset. */
  private Duration absoluteTimeout;

  /**
   * Whether to keep recently used sessions in this instance's memory (checked against the store's
   * version on each use).
   */
  private boolean nearCache;

  /** The most sessions the near cache holds. */
  private int nearCacheSize = 10_000;

  private final Cookie cookie = new Cookie();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getStore() {
    return store;
  }

  public void setStore(String store) {
    this.store = store;
  }

  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  public Duration getAbsoluteTimeout() {
    return absoluteTimeout;
  }

  public void setAbsoluteTimeout(Duration absoluteTimeout) {
    this.absoluteTimeout = absoluteTimeout;
  }

  public boolean isNearCache() {
    return nearCache;
  }

  public void setNearCache(boolean nearCache) {
    this.nearCache = nearCache;
  }

  public int getNearCacheSize() {
    return nearCacheSize;
  }

  public void setNearCacheSize(int nearCacheSize) {
    this.nearCacheSize = nearCacheSize;
  }

  public Cookie getCookie() {
    return cookie;
  }

  /** The session cookie. */
  public static class Cookie {

    /** The cookie name without the __Host- prefix: ASCII letters, digits, - and _. */
    private String name = "TSESSION";

    /**
     * Whether the cookie is sent with Secure (HTTPS only); turn off only for plain-HTTP
     * development.
     */
    private boolean secure = true;

    /** The SameSite attribute: Strict or Lax. */
    private String sameSite = "Lax";

    /**
     * Whether the name carries the __Host- prefix; it goes with secure, and is its value when
     * unset.
     */
    private Boolean hostPrefix;

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public boolean isSecure() {
      return secure;
    }

    public void setSecure(boolean secure) {
      this.secure = secure;
    }

    public String getSameSite() {
      return sameSite;
    }

    public void setSameSite(String sameSite) {
      this.sameSite = sameSite;
    }

    public Boolean getHostPrefix() {
      return hostPrefix;
    }

    public void setHostPrefix(Boolean hostPrefix) {
      this.hostPrefix = hostPrefix;
    }
  }
}
