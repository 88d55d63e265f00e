package dev.tether.balance;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Nanoseconds per pick for every algorithm at 3, 100 and 1 000 servers (target: ≤ 100 ns at 100).
 * Servers have weights 1–3 and 0–19 requests in flight; hash keys are client addresses with
 * Zipf(1.1) popularity. Hash variants are written {@code name/method[/bounded]}; "bounded" sets
 * {@code balance-factor: 1.25}.
 *
 * <p>Run:
 *
 * <pre>
 * ./mvnw -q -B -pl tether-bench -am package -DskipTests
 * java -jar tether-bench/target/benchmarks.jar PickBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PickBenchmark {

  @Param({
    "round-robin",
    "weighted-round-robin",
    "least-connections",
    "least-response-time",
    "power-of-two",
    "random",
    "ip-hash/consistent",
    "ip-hash/maglev",
    "ip-hash/consistent/bounded",
    "ip-hash/maglev/bounded"
  })
  public String algorithm;

  @Param({"3", "100", "1000"})
  public int servers;

  private Picker picker;
  private PickRequest[] requests;
  private int next;

  @Setup
  public void setUp() {
    String[] parts = algorithm.split("/");
    Map<String, String> options = new HashMap<>();
    if (parts.length > 1) {
      options.put("hash-method", parts[1]);
    }
    if (parts.length > 2) {
      options.put("balance-factor", "1.25");
    }
    BalancerProvider provider = Balancers.find(parts[0]).orElseThrow();
    List<Member> members = BenchPools.members(servers, 1);
    picker = provider.newPicker(members, options, BalanceEnv.SYSTEM);
    requests = BenchPools.zipfClients(1 << 16, 2);
  }

  @Benchmark
  public Member pick() {
    return picker.pick(requests[next++ & (requests.length - 1)]);
  }
}
