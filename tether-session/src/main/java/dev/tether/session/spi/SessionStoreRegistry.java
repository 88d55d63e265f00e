package dev.tether.session.spi;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Finds {@link SessionStoreProvider}s on the class path by name. */
public final class SessionStoreRegistry {

  private SessionStoreRegistry() {}

  /** The providers on the class path, by name. */
  public static Map<String, SessionStoreProvider> providers() {
    Map<String, SessionStoreProvider> byName = new TreeMap<>();
    for (SessionStoreProvider p : ServiceLoader.load(SessionStoreProvider.class)) {
      byName.putIfAbsent(p.name(), p);
    }
    return byName;
  }

  /**
   * Builds the store called {@code name}.
   *
   * @throws IllegalArgumentException when no provider has that name (the message lists the known
   *     names and hints at the missing module) or the settings are wrong
   */
  public static SessionStore create(String name, Map<String, String> settings, Clock clock) {
    requireNonNull(name, "name");
    requireNonNull(settings, "settings");
    requireNonNull(clock, "clock");
    Map<String, SessionStoreProvider> all = providers();
    SessionStoreProvider p = all.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown session store '"
              + name
              + "'; available: "
              + all.keySet()
              + " (each store other than memory needs its module, e.g. tether-session-"
              + name
              + ", on the class path)");
    }
    return p.create(settings, clock);
  }

  /**
   * Checks that {@code settings} only has keys in {@code allowed}.
   *
   * @throws IllegalArgumentException naming the unknown keys and the allowed ones
   */
  public static void requireKnownSettings(
      String store, Map<String, String> settings, Collection<String> allowed) {
    Set<String> unknown = new TreeSet<>(settings.keySet());
    unknown.removeAll(allowed);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown setting(s) "
              + unknown
              + " for session store '"
              + store
              + "'; allowed: "
              + new TreeSet<>(allowed));
    }
  }
}
