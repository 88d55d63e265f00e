package dev.tether.balance;

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
 * Time to build a hash picker (ring or Maglev table included) over 1 000 servers of weight 1–3, as
 * the control plane does on every membership, weight or state change (target: Maglev ≤ 5 ms). Also
 * covers weighted round robin, whose build precomputes the smooth cycle.
 *
 * <p>Run:
 *
 * <pre>
 * ./mvnw -q -B -pl tether-bench -am package -DskipTests
 * java -jar tether-bench/target/benchmarks.jar TableBuildBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TableBuildBenchmark {

  @Param({"ip-hash/consistent", "ip-hash/maglev", "weighted-round-robin"})
  public String algorithm;

  @Param({"1000"})
  public int servers;

  private BalancerProvider provider;
  private Map<String, String> options;
  private List<Member> members;

  @Setup
  public void setUp() {
    String[] parts = algorithm.split("/");
    provider = Balancers.find(parts[0]).orElseThrow();
    options = parts.length > 1 ? Map.of("hash-method", parts[1]) : Map.of();
    members = BenchPools.members(servers, 1);
  }

  @Benchmark
  public Picker build() {
    return provider.newPicker(members, options, BalanceEnv.SYSTEM);
  }
}
