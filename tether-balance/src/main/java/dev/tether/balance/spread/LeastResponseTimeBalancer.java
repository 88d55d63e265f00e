package dev.tether.balance.spread;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Member;
import dev.tether.balance.Picker;

/**
 * Least response time: two weighted random candidates, the one with the lower peak-EWMA latency ×
 * (in flight + 1) wins.
 *
 * <p>Design note: this is Finagle's and Linkerd's "P2C + peak EWMA". The latency average jumps up
 * on a slow response and decays with time otherwise ({@link dev.tether.balance.ServerLoad}), so a
 * server that slows down sheds load at once and an idle one is tried again later. Comparing two
 * candidates instead of scanning all keeps the pick O(1), and avoids sending every request to the
 * one server that was fastest a moment ago. A server that has never answered costs 0 while idle and
 * a large penalty while busy, so it is probed one request at a time.
 */
final class LeastResponseTimeBalancer extends SlowStartBalancer {

  @Override
  public String name() {
    return "least-response-time";
  }

  @Override
  public String description() {
    return "Two weighted random servers per request, the one with the lower decaying latency × (in flight + 1)"
        + " wins: choose it when servers differ in speed or slow down under load (mixed hardware, noisy neighbours).";
  }

  @Override
  Picker picker(Member[] ms, SlowStart.Ramp ramp, BalanceEnv env) {
    return new TwoChoices(ms, new WeightedSampler(ms), ramp, TwoChoices.Cost.LATENCY, env);
  }
}
