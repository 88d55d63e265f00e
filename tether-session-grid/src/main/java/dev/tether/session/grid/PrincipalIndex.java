package dev.tether.session.grid;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;

/**
 * Principal name to the ids of its sessions, one grid entry per principal.
 *
 * <p>Design: the value is a string {@code "id:end id:end …"} where {@code end} is the session's
 * absolute expiry (epoch ms at the store's clock). Updates are optimistic loops of {@code get} then
 * {@code putIfAbsent}/{@code replace}/{@code remove} conditioned on the value read, so concurrent
 * updates from any member never lose each other's ids. Every write drops ids whose absolute end
 * plus the grace has passed (such a session is dead whatever happened to it) and sets the entry's
 * lifespan to the latest end plus the grace, so an index entry cannot outlive all of its sessions
 * even if no sweep or lookup ever touches it again (Spring Session #1715, #3287).
 */
final class PrincipalIndex {

  private final Cache<String, String> cache;
  private final Clock clock;
  private final Duration grace;

  PrincipalIndex(Cache<String, String> cache, Clock clock, Duration grace) {
    this.cache = cache;
    this.clock = clock;
    this.grace = grace;
  }

  void add(String principal, String id, Instant absoluteEnd) {
    while (true) {
      String current = cache.get(principal);
      Map<String, Long> ids = parse(current);
      Long known = ids.get(id);
      long end = absoluteEnd.toEpochMilli();
      if (known != null && known >= end) {
        return;
      }
      ids.put(id, end);
      if (write(principal, current, ids)) {
        return;
      }
    }
  }

  void remove(String principal, String id) {
    while (true) {
      String current = cache.get(principal);
      Map<String, Long> ids = parse(current);
      if (ids.remove(id) == null) {
        return;
      }
      if (write(principal, current, ids)) {
        return;
      }
    }
  }

  /** The ids recorded for {@code principal}, possibly including stale ones the caller filters. */
  Set<String> ids(String principal) {
    return parse(cache.get(principal)).keySet();
  }

  private boolean write(String principal, String current, Map<String, Long> ids) {
    long now = clock.millis();
    long graceMs = grace.toMillis();
    ids.values().removeIf(end -> end + graceMs < now);
    if (ids.isEmpty()) {
      return current == null || cache.remove(principal, current);
    }
    long latest = ids.values().stream().mapToLong(Long::longValue).max().orElse(now);
    long lifespan = Math.max(latest - now, 0) + graceMs;
    String next = format(ids);
    if (current == null) {
      return cache.putIfAbsent(principal, next, lifespan, TimeUnit.MILLISECONDS) == null;
    }
    return cache.replace(principal, current, next, lifespan, TimeUnit.MILLISECONDS);
  }

  private static Map<String, Long> parse(String value) {
    Map<String, Long> ids = new LinkedHashMap<>();
    if (value == null || value.isEmpty()) {
      return ids;
    }
    for (String item : value.split(" ")) {
      int colon = item.indexOf(':');
      if (colon < 1) {
        throw new IllegalStateException("a principal index entry is corrupt");
      }
      ids.put(item.substring(0, colon), Long.parseLong(item.substring(colon + 1)));
    }
    return ids;
  }

  private static String format(Map<String, Long> ids) {
    StringBuilder b = new StringBuilder(ids.size() * 60);
    ids.forEach(
        (id, end) -> {
          if (!b.isEmpty()) {
            b.append(' ');
          }
          b.append(id).append(':').append(end);
        });
    return b.toString();
  }
}
