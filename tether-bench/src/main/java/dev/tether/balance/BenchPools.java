package dev.tether.balance;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Realistic inputs for the balancing benchmarks: pools of servers with mixed weights, live load
 * counters, and client addresses whose popularity follows Zipf(1.1).
 */
final class BenchPools {

  private BenchPools() {}

  /**
   * {@code n} UP servers with weights 1–3, each with 0–19 requests in flight and a few measured
   * latencies (1–50 ms), all in one load group as a {@link Pool} would build them.
   */
  static List<Member> members(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    ServerLoad.Group group = new ServerLoad.Group(2 * n); // as Pool sizes it
    List<Member> members = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ServerLoad load = new ServerLoad(group);
      for (int k = 0; k < 3; k++) {
        load.start();
        load.finish(random.nextLong(1_000_000L, 50_000_000L), System.nanoTime());
      }
      int inFlight = random.nextInt(20);
      for (int k = 0; k < inFlight; k++) {
        load.start();
      }
      Server server =
          new Server("app-" + i, "10.0." + (i >> 8) + "." + (i & 255), 8080, 1 + random.nextInt(3));
      members.add(new Member(server, ServerState.UP, load, Member.UP_FROM_START));
    }
    return members;
  }

  /** {@code count} requests from 100 000 client addresses drawn with Zipf(1.1) popularity. */
  static PickRequest[] zipfClients(int count, long seed) {
    int clients = 100_000;
    double[] cumulative = new double[clients];
    double sum = 0;
    for (int k = 1; k <= clients; k++) {
      sum += 1 / Math.pow(k, 1.1);
      cumulative[k - 1] = sum;
    }
    SplittableRandom random = new SplittableRandom(seed);
    PickRequest[] requests = new PickRequest[count];
    for (int r = 0; r < count; r++) {
      int i = java.util.Arrays.binarySearch(cumulative, random.nextDouble() * sum);
      int rank = i >= 0 ? i : -i - 1;
      String address =
          "198.51."
              + (rank >> 8 & 255)
              + "."
              + (rank & 255)
              + (rank >> 16 == 0 ? "" : ":" + (rank >> 16));
      requests[r] =
          new PickRequest() {
            @Override
            public String clientAddress() {
              return address;
            }
          };
    }
    return requests;
  }
}
