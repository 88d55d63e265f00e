package dev.tether.balance.spread;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import dev.tether.balance.ServerLoad;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Weighted least connections: the member with the lowest {@code (in flight + 1) / weight} wins.
 *
 * <p>Design note: the {@code + 1} (as HAProxy's {@code leastconn}) counts the request being placed,
 * so an idle pool still follows the weights. Ties are broken uniformly at random by reservoir
 * sampling over the tied members (a random start position alone would favour a server that follows
 * a gap); the coin flips come from a local LCG seeded once per pick from the injected random
 * source, so a tie costs one multiply. The scan is O(n), as nginx's {@code least_conn}; choose
 * {@code power-of-two} for pools of hundreds of servers.
 *
 * <p>The scan reads the counters where they live: a pool's in-flight counters sit side by side in
 * one {@link ServerLoad.Slab} in configuration order, so the picker scores the slab's cells from
 * the first member's to the last member's in one pass over three flat arrays (counters, scales,
 * pads that put the pool's other servers out of reach) instead of following a pointer per server.
 * Members spread over several slabs (a pool grown past twice its size), or spread thinly over one,
 * and {@code pickExcluding} scan through the members' loads instead, with the same result.
 *
 * <p>Scores are exact integers: with {@code L} the least common multiple of the members' weights,
 * {@code (in flight + 1) × (L / weight)} is {@code L} times the score, so comparisons and ties are
 * exact and the scan needs no floating point (int-to-double conversion and a double multiply per
 * member cost twice as much as the whole integer scan). Only while a member ramps up (slow start
 * makes the weight fractional) or when {@code L} would not fit 31 bits does the scan fall back to
 * doubles.
 */
final class LeastConnectionsBalancer extends SlowStartBalancer {

  @Override
  public String name() {
    return "least-connections";
  }

  @Override
  public String description() {
    return "The server with the fewest requests in flight per unit of weight: choose it for long or uneven requests"
        + " (downloads, WebSockets, reports) with one balancer instance and up to about a hundred servers.";
  }

  @Override
  Picker picker(Member[] ms, SlowStart.Ramp ramp, BalanceEnv env) {
    return new LeastConnectionsPicker(ms, ramp, env.random());
  }

  /** Scans every member's in-flight counter; no state of its own. */
  static final class LeastConnectionsPicker implements Picker {
    private final Member[] members;
    private final ServerLoad[] loads;
    private final double[] inverseWeight;
    // L / weight per member, L = lcm of the weights; null when L exceeds MAX_SCALE.
    private final long[] scale;
    private final SlowStart.Ramp ramp;
    private final Supplier<RandomGenerator> random;
    // The slab path (slab null when not available): the members' counters lie in one slab within
    // cells spanLo .. spanLo + spanScale.length − 1; position p holds member memberAt[p], or a cell
    // that is not a candidate (another pool member, or a free cell: scale 0, pad Long.MAX_VALUE).
    private final ServerLoad.Slab slab;
    private final int spanLo;
    private final long[] spanScale;
    private final long[] spanPad;
    private final int[] memberAt;

    LeastConnectionsPicker(
        Member[] members, SlowStart.Ramp ramp, Supplier<RandomGenerator> random) {
      this.members = members;
      this.loads = new ServerLoad[members.length];
      this.inverseWeight = new double[members.length];
      for (int i = 0; i < members.length; i++) {
        loads[i] = members[i].load();
        inverseWeight[i] = 1.0 / members[i].weight();
      }
      this.scale = scales(members);
      this.ramp = ramp;
      this.random = random;
      ServerLoad.Slab shared = loads[0].slab();
      int lo = Integer.MAX_VALUE;
      int hi = -1;
      for (ServerLoad load : loads) {
        shared = load.slab() == shared ? shared : null;
        lo = Math.min(lo, load.cell());
        hi = Math.max(hi, load.cell());
      }
      int span = hi - lo + 1;
      if (scale == null || shared == null || span > 2 * members.length) {
        this.slab = null;
        this.spanLo = 0;
        this.spanScale = null;
        this.spanPad = null;
        this.memberAt = null;
        return;
      }
      this.slab = shared;
      this.spanLo = lo;
      this.spanScale = new long[span];
      this.spanPad = new long[span];
      this.memberAt = new int[span];
      Arrays.fill(spanPad, Long.MAX_VALUE);
      Arrays.fill(memberAt, -1);
      for (int i = 0; i < members.length; i++) {
        int p = loads[i].cell() - lo;
        spanScale[p] = scale[i];
        spanPad[p] = 0;
        memberAt[p] = i;
      }
    }

    /** Whether picks scan the members' counter slab in one pass (else through their loads). */
    boolean scansSlab() {
      return slab != null;
    }

    /** The largest common multiple kept: (in flight + 1) × L / w stays far inside a long. */
    static final long MAX_SCALE = Integer.MAX_VALUE;

    private static long[] scales(Member[] members) {
      long lcm = 1;
      for (Member m : members) {
        long w = m.weight();
        lcm = lcm / WeightedRoundRobinBalancer.gcd(lcm, w) * w;
        if (lcm > MAX_SCALE) {
          return null;
        }
      }
      long[] scale = new long[members.length];
      for (int i = 0; i < members.length; i++) {
        scale[i] = lcm / members[i].weight();
      }
      return scale;
    }

    @Override
    public Member pick(PickRequest request) {
      int i = choose(-1);
      return members[i];
    }

    @Override
    public Member pickExcluding(PickRequest request, Member excluded) {
      for (int i = 0; i < members.length; i++) {
        if (members[i].name().equals(excluded.name())) {
          return members.length == 1 ? null : members[choose(i)];
        }
      }
      return pick(request);
    }

    private int choose(int skip) {
      long now = ramp == null ? SlowStart.Ramp.OVER : ramp.now();
      if (now == SlowStart.Ramp.OVER && scale != null) {
        return slab != null && skip < 0 ? chooseSpan() : chooseExact(skip);
      }
      long seed = random.get().nextLong();
      int best = -1;
      double bestScore = Double.MAX_VALUE;
      int ties = 0;
      for (int i = 0; i < loads.length; i++) {
        if (i == skip) {
          continue;
        }
        double score = (loads[i].inFlight() + 1) * inverseWeight[i];
        if (now != SlowStart.Ramp.OVER) {
          score /= ramp.fraction(i, now);
        }
        if (score < bestScore) {
          best = i;
          bestScore = score;
          ties = 1;
        } else if (score == bestScore) {
          ties++;
          // Replace with probability 1/ties: uniform over all tied members (reservoir sampling).
          seed = seed * 6364136223846793005L + 1442695040888963407L;
          if (((seed >>> 32) * ties) >>> 32 == 0) {
            best = i;
          }
        }
      }
      return best;
    }

    /** {@link #chooseExact} as one pass over the members' counter slab. */
    private int chooseSpan() {
      int p = slab.leastScore(spanLo, spanScale, spanPad, random.get().nextLong());
      return memberAt[p];
    }

    /** {@link #choose} with integer scores: no member is ramping and the weights' lcm fits. */
    private int chooseExact(int skip) {
      long seed = random.get().nextLong();
      ServerLoad[] loads = this.loads;
      long[] scale = this.scale;
      int best = -1;
      long bestScore = Long.MAX_VALUE;
      int ties = 0;
      for (int i = 0; i < loads.length; i++) {
        long score = (loads[i].inFlight() + 1L) * scale[i];
        if (score < bestScore && i != skip) {
          best = i;
          bestScore = score;
          ties = 1;
        } else if (score == bestScore && i != skip) {
          ties++;
          seed = seed * 6364136223846793005L + 1442695040888963407L;
          if (((seed >>> 32) * ties) >>> 32 == 0) {
            best = i;
          }
        }
      }
      return best;
    }
  }
}
