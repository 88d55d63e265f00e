package dev.tether.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Algorithm options are read once, into typed settings, and pools rebuild from those. */
class ConfiguredBalancerTest {

  private static final List<Server> SERVERS =
      List.of(new Server("a", "127.0.0.1", 9001, 1), new Server("b", "127.0.0.1", 9002, 1));

  @Test
  void theSameSettingsWrittenDifferentlyAreEqual() {
    BalancerProvider random = Balancers.find("random").orElseThrow();
    assertThat(random.configure(Map.of("slow-start", "30s")).balancer())
        .isEqualTo(random.configure(Map.of("slow-start", "30000ms")).balancer())
        .isNotEqualTo(random.configure(Map.of()).balancer());
    BalancerProvider ring = Balancers.find("header-hash").orElseThrow();
    assertThat(
            ring.configure(Map.of("hash-name", "X-User", "hash-method", "consistent")).balancer())
        .isEqualTo(
            ring.configure(Map.of("hash-name", " X-User ", "virtual-nodes", "160")).balancer());
  }

  @Test
  void refusedOptionsGiveEveryProblemAndNoBalancer() {
    ConfiguredBalancer.Result r =
        Balancers.find("ip-hash")
            .orElseThrow()
            .configure(Map.of("hash-method", "rendezvous", "balance-factor", "0.9"));
    assertThat(r.balancer()).isNull();
    assertThat(r.problems()).hasSize(2);
    assertThatThrownBy(() -> r.orElseThrow("pool web"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("pool web: ")
        .hasMessageContaining("rendezvous")
        .hasMessageContaining("0.9");
  }

  @Test
  void aPoolRebuildsFromTheConfiguredBalancerWithoutReadingTheOptionsAgain() {
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger pickers = new AtomicInteger();
    BalancerProvider counting =
        new BalancerProvider() {
          @Override
          public String name() {
            return "counting";
          }

          @Override
          public String description() {
            return "Counts.";
          }

          @Override
          public ConfiguredBalancer.Result configure(Map<String, String> options) {
            reads.incrementAndGet();
            BalancerProvider self = this;
            return ConfiguredBalancer.Result.of(
                new ConfiguredBalancer() {
                  @Override
                  public BalancerProvider provider() {
                    return self;
                  }

                  @Override
                  public Picker newPicker(List<Member> members, BalanceEnv env) {
                    pickers.incrementAndGet();
                    return request -> members.getFirst();
                  }
                });
          }

          @Override
          public Picker newPicker(
              List<Member> members, Map<String, String> options, BalanceEnv env) {
            throw new AssertionError("a pool builds its pickers from the configured balancer");
          }
        };
    Pool pool =
        new Pool(
            "web",
            SERVERS,
            counting.configure(Map.of("k", "v")).orElseThrow("pool web"),
            BalanceEnv.SYSTEM);
    pool.setState("a", ServerState.DRAINING);
    pool.setState("a", ServerState.UP);
    pool.refresh();
    assertThat(reads).hasValue(1);
    assertThat(pickers).hasValue(4);
    assertThat(pool.algorithm()).isSameAs(counting);
  }

  @Test
  void anAlgorithmThatOnlyValidatesGetsItsCheckedStringsOnEveryRebuild() {
    AtomicInteger validations = new AtomicInteger();
    List<Map<String, String>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    BalancerProvider plain =
        new BalancerProvider() {
          @Override
          public String name() {
            return "plain";
          }

          @Override
          public String description() {
            return "Plain.";
          }

          @Override
          public List<String> validate(Map<String, String> options) {
            validations.incrementAndGet();
            return options.containsKey("bad") ? List.of("Option bad is bad.") : List.of();
          }

          @Override
          public Picker newPicker(
              List<Member> members, Map<String, String> options, BalanceEnv env) {
            seen.add(options);
            return request -> members.getFirst();
          }
        };
    assertThat(plain.configure(Map.of("bad", "1")).problems())
        .containsExactly("Option bad is bad.");
    Pool pool = new Pool("web", SERVERS, plain, Map.of("k", "v"), BalanceEnv.SYSTEM);
    pool.refresh();
    assertThat(validations).hasValue(2);
    assertThat(seen).hasSize(2).allSatisfy(o -> assertThat(o).containsExactly(Map.entry("k", "v")));
  }
}
