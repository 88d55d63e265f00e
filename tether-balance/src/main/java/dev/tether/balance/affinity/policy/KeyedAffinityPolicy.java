package dev.tether.balance.affinity.policy;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.PoolSnapshot;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.ResponseHeaders;
import dev.tether.balance.affinity.table.StickTable;
import dev.tether.balance.hash.KeyHash;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Modes {@code source-ip} and {@code header}: a key taken from the request (the client address or
 * its prefix, a header value, a verified JWT claim), bound to a server either by a stick table or
 * by hashing.
 *
 * <p>Design note (hash method): rendezvous hashing (Thaler and Ravishankar 1998): the key goes to
 * the UP-or-DRAINING server with the highest {@code mix(hash(key), hash(name))}, so a server that
 * joins takes only the keys it now wins, and one that leaves moves only its own keys. A key whose
 * winner is DRAINING stays there only if it was seen within the session window (an existing
 * session); otherwise it is treated as new and goes to the best UP server. No state is shared, so
 * several Tether instances agree. With hashing a key's owner is re-derived from the live members on
 * every request, so on-failure strict has nothing to refuse there: a key whose server is down
 * simply hashes to the next one (strict applies to the table method).
 */
final class KeyedAffinityPolicy extends TablePolicy {

  private final String mode;
  private final Function<PickRequest, String> key;

  /**
   * @param table the stick table, or {@code null} for the hash method
   */
  KeyedAffinityPolicy(
      String mode,
      Function<PickRequest, String> key,
      StickTable table,
      BoundResolution resolution) {
    super(table, resolution);
    this.mode = requireNonNull(mode, "mode");
    this.key = requireNonNull(key, "key");
  }

  @Override
  public String mode() {
    return mode;
  }

  @Override
  public CompletionStage<?> prepare(PickRequest request) {
    if (table == null) {
      return null;
    }
    String k = key.apply(request);
    return k == null ? null : table.prefetch(k);
  }

  @Override
  public AffinityDecision decide(PickRequest request, PoolSnapshot snapshot, String connectionPin) {
    String k = key.apply(request);
    if (k == null) {
      return resolution.resolve(request, snapshot, connectionPin, null, null);
    }
    if (table != null) {
      String bound = table.get(k);
      AffinityDecision d = resolution.resolve(request, snapshot, connectionPin, bound, k);
      if (d.member() != null && !d.member().name().equals(bound)) {
        table.put(k, d.member().name());
      }
      return d;
    }
    Member owner = rendezvous(k, snapshot, true);
    if (owner != null && !owner.acceptsNew()) {
      if (!seen(k, owner)) {
        owner = null;
      } else if (resolution.drainRepin(owner, k)) {
        // Moves to the key's best server taking new work, where its next request hashes anyway.
        Member up = rendezvous(k, snapshot, false);
        if (up != null) {
          return resolution.moved(up, k);
        }
      }
    }
    if (owner == null) {
      Member up = rendezvous(k, snapshot, false);
      if (up == null) {
        return resolution.resolve(request, snapshot, null, null, k);
      }
      return resolution.resolve(request, snapshot, null, up.name(), k);
    }
    return resolution.resolve(request, snapshot, null, owner.name(), k);
  }

  private boolean seen(String k, Member owner) {
    return owner.name().equals(resolution.assigner().stats().sessions().boundTo(k));
  }

  @Override
  public AffinityDecision redispatch(
      AffinityDecision failed, PickRequest request, PoolSnapshot snapshot) {
    AffinityDecision d = resolution.redispatch(failed, request, snapshot);
    if (table != null && d.member() != null && d.key() != null) {
      table.put(d.key(), d.member().name());
    }
    return d;
  }

  @Override
  public void onResponse(AffinityDecision decision, ResponseHeaders headers) {
    // Keyed modes carry nothing back to the client.
  }

  /** The highest-scoring member for {@code k}, among UP (and, if allowed, DRAINING) members. */
  static Member rendezvous(String k, PoolSnapshot snapshot, boolean includeDraining) {
    long h = KeyHash.hash(k);
    Member best = null;
    long bestScore = 0;
    for (Member m : snapshot.members()) {
      boolean ok = includeDraining ? m.acceptsBound() : m.acceptsNew();
      if (!ok || m.weight() == 0) {
        continue;
      }
      long score = KeyHash.mix(h, KeyHash.hash(m.name()));
      if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
        best = m;
        bestScore = score;
      }
    }
    return best;
  }
}
