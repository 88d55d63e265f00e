package dev.tether.balance.hash;

import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import dev.tether.balance.ServerLoad;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Places a request at the table slot of its key's hash and takes that slot's owner, walking on when
 * the owner is excluded or, with bounded loads, full.
 *
 * <p>Design note, bounded loads (Mirrokni, Thorup, Zadimoghaddam, "Consistent Hashing with Bounded
 * Loads", SODA 2018): with balance factor c = 1 + ε, a server of weight share s may hold at most ⌈c
 * × (m + 1) × s⌉ requests, m being the requests in flight in the pool before this one; a key whose
 * server is at its cap walks on to the next slot whose server is below it. Since the caps sum to at
 * least c × (m + 1) > m + 1, some server is always below its cap, so the walk ends. The pool total
 * comes from the members' shared {@link ServerLoad.Group} in O(1) (it also counts requests still
 * running on draining servers, which only loosens the cap), or by summing when members do not share
 * a group. Keys move only as far as the load forces them.
 */
final class HashPicker implements Picker {

  /** Which part of the request is the key. */
  record KeyRule(HashKey key, String name, boolean withQuery) {
    String extract(PickRequest request) {
      return key.extract(request, name, withQuery);
    }
  }

  private final Member[] members;
  private final ServerLoad[] loads;
  private final double[] share;
  private final HashTable table;
  private final KeyRule rule;
  private final double factor;
  private final ServerLoad.Group group;
  private final Supplier<RandomGenerator> random;

  HashPicker(
      Member[] members,
      HashTable table,
      KeyRule rule,
      double factor,
      Supplier<RandomGenerator> random) {
    this.members = members;
    this.table = table;
    this.rule = rule;
    this.factor = factor;
    this.random = random;
    this.loads = new ServerLoad[members.length];
    this.share = new double[members.length];
    double total = 0;
    for (Member m : members) {
      total += m.weight();
    }
    ServerLoad.Group shared = members[0].load().group();
    for (int i = 0; i < members.length; i++) {
      loads[i] = members[i].load();
      share[i] = members[i].weight() / total;
      if (loads[i].group() != shared) {
        shared = null;
      }
    }
    this.group = members.length == 1 ? null : shared;
  }

  @Override
  public Member pick(PickRequest request) {
    return place(hashOf(request), null);
  }

  @Override
  public Member pickExcluding(PickRequest request, Member excluded) {
    return place(hashOf(request), excluded.name());
  }

  /** The member for a key hash ({@code excluded}: a server name to avoid, or {@code null}). */
  Member place(long hash, String excluded) {
    int slot = table.start(hash);
    if (excluded == null) {
      if (factor == 0) {
        return members[table.owner(slot)];
      }
    } else if (members.length == 1) {
      return excluded.equals(members[0].name()) ? null : members[0];
    }
    if (factor != 0) {
      Member m = walk(slot, excluded, factor * (inFlightTotal() + 1));
      if (m != null) {
        return m;
      }
    }
    // No cap, or every server looked full while counters moved under us: ignore the cap.
    return walk(slot, excluded, Double.POSITIVE_INFINITY);
  }

  private Member walk(int slot, String excluded, double perShare) {
    int slots = table.slots();
    for (int step = 0; step < slots; step++) {
      int owner = table.owner(slot);
      if ((excluded == null || !excluded.equals(members[owner].name()))
          && loads[owner].inFlight() < Math.ceil(perShare * share[owner])) {
        return members[owner];
      }
      slot = slot + 1 == slots ? 0 : slot + 1;
    }
    return null;
  }

  private long hashOf(PickRequest request) {
    String key = rule.extract(request);
    return key == null || key.isEmpty() ? random.get().nextLong() : KeyHash.hash(key);
  }

  private int inFlightTotal() {
    if (group != null) {
      return group.inFlight();
    }
    int sum = 0;
    for (ServerLoad l : loads) {
      sum += l.inFlight();
    }
    return sum;
  }
}
