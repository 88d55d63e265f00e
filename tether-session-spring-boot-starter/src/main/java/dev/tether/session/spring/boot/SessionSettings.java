package dev.tether.session.spring.boot;

import dev.tether.session.SessionPolicy;
import dev.tether.session.servlet.SessionCookie;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * The {@code tether.session.*} properties checked and turned into tether-session's values: every
 * problem is an {@link InvalidSessionPropertyException} naming the property and what is allowed.
 *
 * @param store the store name
 * @param storeSettings the store's settings, {@code tether.session.store.<setting>} without the
 *     prefix
 * @param policy the session policy
 * @param cookie the session cookie
 * @param nearCacheSize the near cache's size, or 0 for none
 */
record SessionSettings(
    String store,
    Map<String, String> storeSettings,
    SessionPolicy policy,
    SessionCookie cookie,
    int nearCacheSize) {

  static final String PREFIX = "tether.session";

  private static final Set<String> KEYS =
      Set.of(
          "enabled",
          "store",
          "idle-timeout",
          "absolute-timeout",
          "near-cache",
          "near-cache-size",
          "cookie.name",
          "cookie.secure",
          "cookie.same-site",
          "cookie.host-prefix");

  private static final List<ConfigurationPropertyName> KNOWN =
      KEYS.stream().map(k -> ConfigurationPropertyName.of(PREFIX + "." + k)).toList();

  private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);
  private static final ConfigurationPropertyName STORE =
      ConfigurationPropertyName.of(PREFIX + ".store");

  /** Reads and checks the properties. */
  static SessionSettings of(TetherSessionProperties p, Environment env) {
    Map<String, String> storeSettings = new TreeMap<>();
    Binder binder = Binder.get(env);
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(env)) {
      if (!(source instanceof IterableConfigurationPropertySource iterable)) {
        continue;
      }
      iterable.stream()
          .filter(ROOT::isAncestorOf)
          .forEach(
              name -> {
                if (STORE.isAncestorOf(name)) {
                  String key = name.subName(STORE.getNumberOfElements()).toString();
                  storeSettings.computeIfAbsent(
                      key,
                      k ->
                          binder
                              .bind(
                                  name,
                                  org.springframework.boot.context.properties.bind.Bindable.of(
                                      String.class))
                              .orElse(""));
                } else {
                  if (KNOWN.stream()
                      .noneMatch(name::equals)) { // equals is relaxed: idleTimeout is idle-timeout
                    throw InvalidSessionPropertyException.unknown(
                        name.toString(),
                        String.join(
                                ", ",
                                new TreeSet<>(KEYS).stream().map(k -> PREFIX + "." + k).toList())
                            + " and "
                            + PREFIX
                            + ".store.<setting> of the chosen store");
                  }
                }
              });
    }
    String store = p.getStore() == null ? "" : p.getStore().trim();
    if (store.isEmpty()) {
      throw new InvalidSessionPropertyException(
          PREFIX + ".store", p.getStore(), "no store named", "memory, file, redis, jdbc or grid");
    }
    return new SessionSettings(
        store, Map.copyOf(storeSettings), policy(p), cookie(p.getCookie()), nearCacheSize(p));
  }

  private static SessionPolicy policy(TetherSessionProperties p) {
    SessionPolicy defaults = SessionPolicy.defaults();
    Duration idle = p.getIdleTimeout() == null ? defaults.idleTimeout() : p.getIdleTimeout();
    Duration absolute =
        p.getAbsoluteTimeout() == null ? defaults.absoluteTimeout() : p.getAbsoluteTimeout();
    if (idle.isNegative() || idle.isZero()) {
      throw new InvalidSessionPropertyException(
          PREFIX + ".idle-timeout",
          idle.toString(),
          "must be positive",
          "a positive duration such as 30m or PT30M");
    }
    if (idle.compareTo(defaults.touchInterval()) <= 0) {
      throw new InvalidSessionPropertyException(
          PREFIX + ".idle-timeout",
          idle.toString(),
          "must be longer than the last-access write interval " + defaults.touchInterval(),
          "a duration longer than " + defaults.touchInterval().toSeconds() + "s");
    }
    if (absolute.compareTo(idle) < 0) {
      throw new InvalidSessionPropertyException(
          PREFIX + ".absolute-timeout",
          absolute.toString(),
          "is shorter than the idle timeout " + idle,
          "a duration at least as long as tether.session.idle-timeout");
    }
    return defaults.withTimeouts(idle, absolute);
  }

  private static SessionCookie cookie(TetherSessionProperties.Cookie c) {
    String sameSite = c.getSameSite();
    if (!"Strict".equalsIgnoreCase(sameSite) && !"Lax".equalsIgnoreCase(sameSite)) {
      throw new InvalidSessionPropertyException(
          PREFIX + ".cookie.same-site",
          sameSite,
          "SameSite=None would send the session cookie on cross-site requests",
          "Strict or Lax");
    }
    boolean prefix = c.getHostPrefix() == null ? c.isSecure() : c.getHostPrefix();
    if (prefix != c.isSecure()) {
      throw new InvalidSessionPropertyException(
          PREFIX + ".cookie.host-prefix",
          Boolean.toString(prefix),
          prefix
              ? "the __Host- prefix needs a Secure cookie (tether.session.cookie.secure=true)"
              : "a Secure session cookie always carries the __Host- prefix (Path=/, no Domain)",
          "the same value as tether.session.cookie.secure (" + c.isSecure() + "), or unset");
    }
    String canonical = "Strict".equalsIgnoreCase(sameSite) ? "Strict" : "Lax";
    try {
      return new SessionCookie(c.getName(), c.isSecure(), canonical);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidSessionPropertyException(
          PREFIX + ".cookie.name",
          c.getName(),
          String.valueOf(e.getMessage()),
          "ASCII letters, digits, - and _");
    }
  }

  private static int nearCacheSize(TetherSessionProperties p) {
    if (!p.isNearCache()) {
      return 0;
    }
    if (p.getNearCacheSize() < 1) {
      throw new InvalidSessionPropertyException(
          PREFIX + ".near-cache-size",
          Integer.toString(p.getNearCacheSize()),
          "must be at least 1",
          "a positive number of sessions");
    }
    return p.getNearCacheSize();
  }

  /** The store settings for a message, with anything that looks secret masked. */
  String describeStore() {
    Map<String, String> shown = new TreeMap<>();
    storeSettings.forEach(
        (k, v) -> shown.put(k, k.contains("password") || k.contains("secret") ? "******" : v));
    return "tether.session.store=" + store + (shown.isEmpty() ? "" : ", settings " + shown);
  }
}
