package dev.tether.session.cookie;

import dev.tether.session.codec.EncryptionKeys;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.SessionStoreProvider;
import dev.tether.session.spi.SessionStoreRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code cookie}: sessions sealed in the client's cookies. Settings:
 *
 * <ul>
 *   <li>{@code keys} (required): the key ring, {@code id:base64,id:base64}, each a 32-byte AES key;
 *   <li>{@code key-id}: the key that seals new cookies (default: the only key; required with
 *       several);
 *   <li>{@code cookie-name} (default {@code __Host-TSESSION}, the filter's default), {@code
 *       cookie-size} (default 4096, 256..4096 bytes), {@code max-cookies} (default 4, 1..64);
 *   <li>{@code revocation-store}: the name of the store that remembers logouts (e.g. {@code
 *       redis}), configured by the {@code revocation.*} settings (e.g. {@code revocation.uri});
 *       absent: no server state, a logout holds only in the browser that logged out;
 *   <li>{@code track-every-write} ({@code false}): record every write's version, refusing a replay
 *       of any earlier cookie.
 * </ul>
 */
public final class CookieSessionStoreProvider implements SessionStoreProvider {

  private static final Set<String> KEYS =
      Set.of(
          "keys",
          "key-id",
          "cookie-name",
          "cookie-size",
          "max-cookies",
          "revocation-store",
          "track-every-write");

  /**
   * Off: the cookies need no I/O; a revocation store has its own ({@code revocation.circuit.*}).
   */
  @Override
  public boolean circuitBreakerByDefault() {
    return false;
  }

  @Override
  public String name() {
    return "cookie";
  }

  @Override
  public SessionStore create(Map<String, String> settings, Clock clock) {
    Map<String, String> own = new HashMap<>();
    Map<String, String> revocation = new HashMap<>();
    settings.forEach(
        (k, v) -> {
          if (k.startsWith("revocation.")) {
            revocation.put(k.substring("revocation.".length()), v);
          } else {
            own.put(k, v);
          }
        });
    SessionStoreRegistry.requireKnownSettings(name(), own, KEYS);
    EncryptionKeys keys = keys(own.get("keys"), own.get("key-id"));
    CookieStoreSettings defaults = CookieStoreSettings.defaults();
    CookieStoreSettings cookies =
        new CookieStoreSettings(
            own.getOrDefault("cookie-name", defaults.cookieName()),
            integer(own, "cookie-size", defaults.cookieSize()),
            integer(own, "max-cookies", defaults.maxCookies()),
            bool(own, "track-every-write"));
    String revocationName = own.get("revocation-store");
    if (revocationName == null && !revocation.isEmpty()) {
      throw new IllegalArgumentException(
          "cookie setting(s) " + revocation.keySet() + " under revocation.* need revocation-store");
    }
    if ("cookie".equals(revocationName)) {
      throw new IllegalArgumentException(
          "revocation-store must be a server-side store (redis, jdbc, grid, file, memory), not cookie");
    }
    SessionStore revocations =
        revocationName == null
            ? null
            : SessionStoreRegistry.create(revocationName, revocation, clock);
    return new CookieSessionStore(keys, cookies, revocations, clock, new SecureRandom());
  }

  private static EncryptionKeys keys(String spec, String current) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(
          "cookie setting 'keys' is required: id:base64 of a 32-byte AES key, comma-separated");
    }
    Map<String, byte[]> raw = new HashMap<>();
    Set<String> ids = new HashSet<>();
    for (String part : spec.split(",")) {
      int colon = part.indexOf(':');
      if (colon < 1) {
        throw new IllegalArgumentException(
            "cookie setting 'keys': '" + part.trim() + "' is not id:base64");
      }
      String id = part.substring(0, colon).trim();
      byte[] key;
      try {
        key = Base64.getDecoder().decode(part.substring(colon + 1).trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("cookie setting 'keys': key '" + id + "' is not base64");
      }
      if (key.length != 32) {
        throw new IllegalArgumentException(
            "cookie setting 'keys': key '"
                + id
                + "' is "
                + key.length
                + " bytes; AES-256 needs 32");
      }
      if (!ids.add(id)) {
        throw new IllegalArgumentException(
            "cookie setting 'keys': key id '" + id + "' is given twice");
      }
      raw.put(id, key);
    }
    if (current == null) {
      if (raw.size() != 1) {
        throw new IllegalArgumentException(
            "cookie setting 'key-id' is required with several keys; one of " + ids);
      }
      current = ids.iterator().next();
    }
    return EncryptionKeys.ofRaw(current, raw);
  }

  private static int integer(Map<String, String> s, String key, int fallback) {
    String v = s.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "cookie setting '" + key + "' is '" + v + "', not a number");
    }
  }

  private static boolean bool(Map<String, String> s, String key) {
    String v = s.getOrDefault(key, "false").trim();
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(
          "cookie setting '" + key + "' is '" + v + "'; use true or false");
    }
    return Boolean.parseBoolean(v);
  }
}
