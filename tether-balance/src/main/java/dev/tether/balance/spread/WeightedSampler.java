package dev.tether.balance.spread;

import dev.tether.balance.Member;
import java.util.random.RandomGenerator;

/**
 * Draws member indices in proportion to weight in O(1) with Vose's alias method (Vose 1991, "A
 * linear algorithm for generating random numbers with a given distribution"), honouring slow start.
 *
 * <p>Design note: while members ramp, a draw from the static weights is accepted with probability
 * equal to the member's ramp fraction (rejection sampling), which yields exactly {@code weight ×
 * fraction} proportions. After 8 rejections the draw falls back to an exact O(n) scan over the
 * effective weights; a mixture of two exact samplers is exact, so the bound on attempts costs no
 * accuracy. Immutable and thread-safe; the random source is the caller's.
 */
final class WeightedSampler {

  private static final int ATTEMPTS = 8;

  private final int n;
  private final boolean uniform;
  private final double[] prob;
  private final int[] alias;
  private final double[] weights;

  WeightedSampler(Member[] members) {
    n = members.length;
    weights = new double[n];
    boolean same = true;
    double total = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = members[i].weight();
      total += weights[i];
      same &= members[i].weight() == members[0].weight();
    }
    uniform = same;
    prob = new double[n];
    alias = new int[n];
    if (!same) {
      buildAlias(total);
    }
  }

  private void buildAlias(double total) {
    double[] scaled = new double[n];
    int[] small = new int[n];
    int[] large = new int[n];
    int ns = 0;
    int nl = 0;
    for (int i = 0; i < n; i++) {
      scaled[i] = weights[i] * n / total;
      if (scaled[i] < 1.0) {
        small[ns++] = i;
      } else {
        large[nl++] = i;
      }
    }
    while (ns > 0 && nl > 0) {
      int s = small[--ns];
      int l = large[--nl];
      prob[s] = scaled[s];
      alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1.0;
      if (scaled[l] < 1.0) {
        small[ns++] = l;
      } else {
        large[nl++] = l;
      }
    }
    while (nl > 0) {
      prob[large[--nl]] = 1.0;
    }
    while (ns > 0) {
      prob[small[--ns]] = 1.0; // rounding residue
    }
  }

  /** A member index drawn in proportion to the static weights. */
  int next(RandomGenerator random) {
    int i = random.nextInt(n);
    if (uniform) {
      return i;
    }
    return random.nextDouble() < prob[i] ? i : alias[i];
  }

  /** A member index drawn in proportion to the effective (ramped) weights at {@code now}. */
  int next(RandomGenerator random, SlowStart.Ramp ramp, long now) {
    if (ramp == null || now == SlowStart.Ramp.OVER) {
      return next(random);
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int i = next(random);
      double f = ramp.fraction(i, now);
      if (f >= 1.0 || random.nextDouble() < f) {
        return i;
      }
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += weights[i] * ramp.fraction(i, now);
    }
    double r = random.nextDouble() * total;
    for (int i = 0; i < n; i++) {
      r -= weights[i] * ramp.fraction(i, now);
      if (r < 0) {
        return i;
      }
    }
    return n - 1;
  }
}
