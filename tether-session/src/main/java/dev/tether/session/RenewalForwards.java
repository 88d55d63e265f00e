package dev.tether.session;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Old id to renewed id, for the renewal grace period, on this instance only. Bounded: past {@link
 * #MAX_ENTRIES} it drops entries whose grace has ended, and if that is not enough, all (a request
 * then merely loses its grace).
 */
final class RenewalForwards {

  static final int MAX_ENTRIES = 100_000;

  private record Forward(String newId, Instant until) {}

  private final ConcurrentHashMap<String, Forward> forwards = new ConcurrentHashMap<>();

  void add(String oldId, String newId, Instant now, Instant until) {
    if (forwards.size() >= MAX_ENTRIES) {
      forwards.values().removeIf(f -> !f.until().isAfter(now));
      if (forwards.size() >= MAX_ENTRIES) {
        forwards.clear();
      }
    }
    forwards.put(oldId, new Forward(newId, until));
  }

  /** The renewed id for {@code oldId} while its grace lasts at {@code now}, else {@code null}. */
  String lookup(String oldId, Instant now) {
    Forward f = forwards.get(oldId);
    if (f == null) {
      return null;
    }
    if (!now.isBefore(f.until())) {
      forwards.remove(oldId, f);
      return null;
    }
    return f.newId();
  }
}
