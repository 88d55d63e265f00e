package dev.tether.balance.spread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.BalancerProvider;
import dev.tether.balance.Fixtures;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Least-connections and power-of-two keep in-flight counts even when servers differ in speed.
 *
 * <p>Model: 10 servers, each serving any number of requests at once (threads), with exponential
 * service times of mean 5 ms on servers s0–s4 and 15 ms on s5–s9. Requests arrive as a Poisson
 * stream of 120 per ms. A balancer that equalises in-flight counts sends three times as many
 * requests to a fast server: r_fast × 5 = r_slow × 15 = c and 5 r_fast + 5 r_slow = 120 give, by
 * Little's law, c = 90 in flight on each. We sample max / mean of the in-flight counts after every
 * placement once the system has warmed up (360 000 samples) and require the worst sample to be ≤
 * 1.2. As a control, uniform random choice puts 12 requests/ms × 15 ms = 180 on each slow server
 * against a mean of 120, a ratio of 1.5, so the bound is not trivially met. (At a third of this
 * load, ~30 in flight per server, power-of-two's worst sample was 1.29 with a 99th percentile of
 * 1.20: at small counts one extra request is a large fraction.)
 */
class LoadSpreadSimulationTest {

  private static final int SERVERS = 10;
  private static final int REQUESTS = 400_000;
  private static final int WARM_UP = 40_000;

  private record Completion(double at, int server) {}

  private static double worstRatio(BalancerProvider provider, long seed) {
    List<Member> members = Fixtures.members(SERVERS);
    Picker picker = provider.newPicker(members, Map.of(), Fixtures.env(seed));
    SplittableRandom world = new SplittableRandom(seed + 1);
    PriorityQueue<Completion> running = new PriorityQueue<>((a, b) -> Double.compare(a.at, b.at));
    double now = 0;
    double worst = 0;
    for (int r = 0; r < REQUESTS; r++) {
      now += -Math.log(1 - world.nextDouble()) / 120.0;
      while (!running.isEmpty() && running.peek().at <= now) {
        Completion c = running.poll();
        members.get(c.server).load().finish(0, 0);
      }
      Member m = picker.pick(PickRequest.EMPTY);
      int index = members.indexOf(m);
      m.load().start();
      double mean = index < 5 ? 5.0 : 15.0;
      running.add(new Completion(now - Math.log(1 - world.nextDouble()) * mean, index));
      if (r >= WARM_UP) {
        int max = 0;
        int total = 0;
        for (Member x : members) {
          max = Math.max(max, x.load().inFlight());
          total += x.load().inFlight();
        }
        worst = Math.max(worst, max / (total / (double) SERVERS));
      }
    }
    return worst;
  }

  @Test
  void leastConnectionsKeepsMaxInFlightWithinTwentyPercentOfTheMean() {
    assertThat(worstRatio(new LeastConnectionsBalancer(), 11)).isLessThanOrEqualTo(1.2);
  }

  @Test
  void powerOfTwoKeepsMaxInFlightWithinTwentyPercentOfTheMean() {
    assertThat(worstRatio(new PowerOfTwoBalancer(), 12)).isLessThanOrEqualTo(1.2);
  }

  @Test
  void uniformRandomDoesNotMeetTheBound() {
    assertThat(worstRatio(new RandomBalancer(), 13)).isGreaterThan(1.2);
  }
}
