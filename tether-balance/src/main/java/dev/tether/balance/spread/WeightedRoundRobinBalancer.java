package dev.tether.balance.spread;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.EligibleMembers;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Smooth weighted round robin, producing exactly nginx's sequence ({@code
 * ngx_http_upstream_get_peer}): weights 5:1:1 give {@code a a b a c a a}, interleaved, not bursts.
 *
 * <p>Design note: nginx mutates per-peer "current weights" under a lock on every pick. Here the
 * control plane runs that same algorithm once, at build time, over one full cycle ({@code Σw/gcd}
 * picks) and stores the sequence; a pick is then one atomic increment and an array read (STYLE
 * habit 3). Building costs O(cycle × n); when that would exceed 2<sup>25</sup> steps (hundreds of
 * servers with large, coprime weights) the cycle is built with earliest-deadline-first instead
 * (Envoy's and Traefik's WRR, O(cycle × log n)), which is equally smooth and exact in proportion
 * but orders ties differently. A cycle longer than 2<sup>20</sup> entries is first scaled down in
 * proportion (weights rounded, at least 1). Slow start: while a member ramps, its table entries are
 * accepted with probability equal to its ramp fraction (otherwise the next entry is taken), which
 * gives shares proportional to {@code weight × fraction}.
 */
final class WeightedRoundRobinBalancer extends SlowStartBalancer {

  static final int MAX_CYCLE = 1 << 20;
  static final long MAX_EXACT_STEPS = 1L << 25;

  @Override
  public String name() {
    return "weighted-round-robin";
  }

  @Override
  public String description() {
    return "Each server in turn as often as its weight, smoothly interleaved as nginx does: choose it when servers"
        + " differ in capacity and requests cost about the same.";
  }

  @Override
  Picker picker(Member[] ms, SlowStart.Ramp ramp, BalanceEnv env) {
    return new WeightedRoundRobinPicker(ms, cycle(ms), ramp, env.random(), 0);
  }

  /** One full cycle of member indices. */
  static int[] cycle(Member[] ms) {
    long[] w = new long[ms.length];
    long g = 0;
    for (int i = 0; i < ms.length; i++) {
      w[i] = ms[i].weight();
      g = gcd(g, w[i]);
    }
    long total = 0;
    for (int i = 0; i < w.length; i++) {
      w[i] /= g;
      total += w[i];
    }
    if (total > MAX_CYCLE) {
      long scaled = 0;
      for (int i = 0; i < w.length; i++) {
        w[i] = Math.max(1, Math.round((double) w[i] * MAX_CYCLE / total));
        scaled += w[i];
      }
      total = scaled;
    }
    return total * w.length <= MAX_EXACT_STEPS
        ? smooth(w, (int) total)
        : earliestDeadline(w, (int) total);
  }

  /** nginx's smooth weighted round robin, verbatim: ties go to the earlier server. */
  static int[] smooth(long[] w, int total) {
    long[] current = new long[w.length];
    int[] seq = new int[total];
    for (int step = 0; step < total; step++) {
      int best = -1;
      for (int i = 0; i < w.length; i++) {
        current[i] += w[i];
        if (best < 0 || current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      seq[step] = best;
    }
    return seq;
  }

  /** Earliest deadline first: member i's k-th turn is due at k / w[i]; ties by index. */
  static int[] earliestDeadline(long[] w, int total) {
    long[] turns = new long[w.length];
    // Compare k_a / w_a with k_b / w_b exactly as k_a × w_b against k_b × w_a.
    PriorityQueue<Integer> queue =
        new PriorityQueue<>(
            w.length,
            (a, b) -> {
              int c = Long.compare((turns[a] + 1) * w[b], (turns[b] + 1) * w[a]);
              return c != 0 ? c : Integer.compare(a, b);
            });
    for (int i = 0; i < w.length; i++) {
      queue.add(i);
    }
    int[] seq = new int[total];
    for (int step = 0; step < total; step++) {
      int i = queue.poll();
      seq[step] = i;
      turns[i]++;
      queue.add(i);
    }
    return seq;
  }

  /** The greatest common divisor of two non-negative numbers. */
  static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** Reads the precomputed cycle at {@code seq++}; the sequence is the only per-pick state. */
  static final class WeightedRoundRobinPicker implements Picker {
    private final Member[] members;
    private final int[] cycle;
    private final AtomicInteger seq;
    private final SlowStart.Ramp ramp;
    private final Supplier<RandomGenerator> random;
    private final WeightedSampler sampler;

    WeightedRoundRobinPicker(
        Member[] members,
        int[] cycle,
        SlowStart.Ramp ramp,
        Supplier<RandomGenerator> random,
        int start) {
      this.members = members;
      this.cycle = cycle;
      this.seq = new AtomicInteger(start);
      this.ramp = ramp;
      this.random = random;
      this.sampler = ramp == null ? null : new WeightedSampler(members);
    }

    @Override
    public Member pick(PickRequest request) {
      int i = next();
      if (ramp == null) {
        return members[i];
      }
      long now = ramp.now();
      if (now == SlowStart.Ramp.OVER) {
        return members[i];
      }
      RandomGenerator rnd = random.get();
      for (int attempt = 0; attempt < 8; attempt++) {
        double f = ramp.fraction(i, now);
        if (f >= 1.0 || rnd.nextDouble() < f) {
          return members[i];
        }
        i = next();
      }
      return members[sampler.next(rnd, ramp, now)];
    }

    @Override
    public Member pickExcluding(PickRequest request, Member excluded) {
      for (int attempt = 0; attempt < 8; attempt++) {
        Member m = pick(request);
        if (!m.name().equals(excluded.name())) {
          return m;
        }
      }
      return EligibleMembers.firstOther(members, excluded, next());
    }

    private int next() {
      // Mask the sign bit so the index stays valid when the counter overflows.
      return cycle[(seq.getAndIncrement() & Integer.MAX_VALUE) % cycle.length];
    }
  }
}
