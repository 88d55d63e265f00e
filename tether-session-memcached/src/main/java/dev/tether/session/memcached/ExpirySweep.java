package dev.tether.session.memcached;

import dev.tether.session.memcached.Entry.Ids;
import dev.tether.session.memcached.Entry.Live;
import dev.tether.session.memcached.Entry.Low;
import dev.tether.session.memcached.Replicas.Step;
import dev.tether.session.spi.SessionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One {@link MemcachedSessionStore#sweepExpired} call. Walks the expiry buckets from the low-water
 * mark to the bucket of "now"; for each id in a bucket it claims the session by replacing it, with
 * CAS, by a swept mark when it is expired at "now" (exactly one sweeper's CAS wins), and drops ids
 * that were claimed, deleted, rotated away or whose expiry moved to a later bucket. A bucket in the
 * past left empty moves the low-water mark past it.
 */
final class ExpirySweep {

  private final MemcachedSessionStore store;
  private final long now;
  private final int limit;

  ExpirySweep(MemcachedSessionStore store, long now, int limit) {
    this.store = store;
    this.now = now;
    this.limit = limit;
  }

  List<SessionRecord> run() {
    Replicas replicas = store.replicas();
    byte[] rawLow = replicas.read(store.lowKey());
    if (rawLow == null || !(Entry.decode("-", rawLow) instanceof Low low)) {
      return List.of();
    }
    long nowBucket = store.bucket(now);
    List<SessionRecord> swept = new ArrayList<>();
    boolean emptySoFar = true;
    for (long b = low.bucket(); b <= nowBucket && swept.size() < limit; b++) {
      byte[] raw = replicas.read(store.bucketKey(b));
      Set<String> ids = raw != null && Entry.decode("-", raw) instanceof Ids i ? i.ids() : Set.of();
      Set<String> drop = new HashSet<>();
      for (String id : ids) {
        if (swept.size() >= limit) {
          break;
        }
        Claim c = claim(id, b);
        if (c.record() != null) {
          swept.add(c.record());
          if (c.record().principal() != null) {
            store.principalIndex(
                c.record().principal(), now, 0, s -> MemcachedSessionStore.without(s, id));
          }
        }
        if (c.movedTo() > b) {
          store.expiryAdd(id, c.movedTo());
        }
        if (c.drop()) {
          drop.add(id);
        }
      }
      Set<String> left = ids;
      if (!drop.isEmpty()) {
        left =
            store.idsUpdate(
                store.bucketKey(b),
                now,
                0,
                s -> {
                  Set<String> out = new LinkedHashSet<>(s);
                  out.removeAll(drop);
                  return out;
                });
      }
      emptySoFar &= left.isEmpty();
      if (emptySoFar && b < nowBucket) {
        raiseLow(b + 1);
      }
    }
    return swept;
  }

  /**
   * The claimed record (or null), whether the id no longer belongs in bucket {@code b}, and the
   * bucket of a live session's later expiry (else -1).
   */
  private record Claim(SessionRecord record, boolean drop, long movedTo) {}

  private Claim claim(String id, long b) {
    Instant at = Instant.ofEpochMilli(now);
    return store
        .replicas()
        .update(
            store.sessionKey(id),
            cur -> {
              if (cur == null || !(Entry.decode(id, cur) instanceof Live l)) {
                return Step.none(new Claim(null, true, -1));
              }
              SessionRecord r = l.record();
              if (r.isExpired(at)) {
                return Step.write(
                    Entry.encode(new Entry.Swept()), store.ttl(now, now), new Claim(r, true, -1));
              }
              long due = store.bucket(r.expiresAt().toEpochMilli());
              return Step.none(new Claim(null, due != b, due));
            });
  }

  private void raiseLow(long to) {
    store
        .replicas()
        .update(
            store.lowKey(),
            cur -> {
              if (cur != null && Entry.decode("-", cur) instanceof Low l && l.bucket() >= to) {
                return Step.none(false);
              }
              return Step.write(Entry.encode(new Low(to)), 0, true);
            });
  }
}
