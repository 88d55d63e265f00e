package dev.tether.balance.hash;

import static dev.tether.balance.Fixtures.env;
import static dev.tether.balance.Fixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.tether.balance.BalancerProvider;
import dev.tether.balance.Balancers;
import dev.tether.balance.Fixtures;
import dev.tether.balance.Fixtures.Request;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import dev.tether.balance.ServerState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HashBalancerTest {

  private static final int KEYS = 100_000;

  private static BalancerProvider ipHash() {
    return Balancers.find("ip-hash").orElseThrow();
  }

  private static Picker ipPicker(List<Member> members, String method) {
    return ipHash().newPicker(members, Map.of("hash-method", method), env(1));
  }

  private static String key(int i) {
    return "10." + (i >>> 16) + "." + ((i >>> 8) & 255) + "." + (i & 255);
  }

  private static String[] mapping(Picker picker) {
    String[] out = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      out[i] = picker.pick(Request.ip(key(i))).name();
    }
    return out;
  }

  private static double moved(String[] before, String[] after) {
    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      moved += before[i].equals(after[i]) ? 0 : 1;
    }
    return moved / (double) KEYS;
  }

  @ParameterizedTest
  @ValueSource(strings = {"consistent", "maglev"})
  void independentlyBuiltPickersAgreeOnEveryKey(String method) {
    // Two balancer instances: their own member objects, their own load counters, servers listed
    // in a different order. Every key must map to the same server name.
    List<Member> one = Fixtures.members(20);
    List<Member> two = new ArrayList<>(Fixtures.members(20));
    Collections.shuffle(two, new Random(3));
    assertThat(mapping(ipPicker(two, method))).containsExactly(mapping(ipPicker(one, method)));
  }

  @Test
  void removingOneOfTenServersMovesOnlyItsShareOnTheRing() {
    // Only keys of the removed server move on a ring; its share is 1/N ± ~8% (160 points), so the
    // issue's bound 1/N + 2% holds with room.
    List<Member> ten = Fixtures.members(10);
    String[] before = mapping(ipPicker(ten, "consistent"));
    String[] after = mapping(ipPicker(ten.subList(1, 10), "consistent"));
    double moved = moved(before, after);
    assertThat(moved).isLessThanOrEqualTo(0.1 + 0.02);
    for (int i = 0; i < KEYS; i++) {
      if (!before[i].equals("s0")) {
        assertThat(after[i]).isEqualTo(before[i]);
      }
    }
  }

  @Test
  void addingAnEleventhServerMovesAtMostItsShareOnTheRing() {
    List<Member> eleven = Fixtures.members(11);
    String[] before = mapping(ipPicker(eleven.subList(0, 10), "consistent"));
    String[] after = mapping(ipPicker(eleven, "consistent"));
    assertThat(moved(before, after)).isLessThanOrEqualTo(1 / 11.0 + 0.02);
  }

  @Test
  void removingOneOfTenServersMovesAtMostTwoTenthsWithMaglev() {
    List<Member> ten = Fixtures.members(10);
    String[] before = mapping(ipPicker(ten, "maglev"));
    String[] after = mapping(ipPicker(ten.subList(1, 10), "maglev"));
    assertThat(moved(before, after)).isGreaterThanOrEqualTo(0.09).isLessThanOrEqualTo(2 / 10.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"consistent", "maglev"})
  void aServerThatGoesDownLosesOnlyItsOwnKeys(String method) {
    List<Member> ten = Fixtures.members(10);
    List<Member> oneDown = new ArrayList<>(ten);
    Member s3 = ten.get(3);
    oneDown.set(3, new Member(s3.server(), ServerState.DOWN, s3.load(), s3.upSinceNanos()));
    String[] before = mapping(ipPicker(ten, method));
    String[] after = mapping(ipPicker(oneDown, method));
    assertThat(after).doesNotContain("s3");
    assertThat(moved(before, after)).isLessThanOrEqualTo(2 / 10.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"consistent", "maglev"})
  void sharesFollowWeights(String method) {
    // Weights 1:2:3 -> 1/6, 2/6, 3/6 of keys. Maglev tables are within ~1% of target; a ring with
    // 160 points per weight unit has a relative error of about 1/√(160 w): ±8% for w = 1. With 100k
    // keys the sampling error (σ ≤ 0.0016) is small beside that; tolerance: 0.02 absolute.
    Picker picker =
        ipHash()
            .newPicker(
                List.of(member("a", 1), member("b", 2), member("c", 3)),
                Map.of("hash-method", method),
                env(1));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      counts.merge(picker.pick(Request.ip(key(i))).name(), 1, Integer::sum);
    }
    assertThat(counts.get("a") / (double) KEYS).isCloseTo(1 / 6.0, offset(0.02));
    assertThat(counts.get("b") / (double) KEYS).isCloseTo(2 / 6.0, offset(0.02));
    assertThat(counts.get("c") / (double) KEYS).isCloseTo(3 / 6.0, offset(0.02));
  }

  @ParameterizedTest
  @ValueSource(strings = {"consistent", "maglev"})
  void boundedLoadsKeepEveryServerUnderItsCapWithZipfKeys(String method) {
    // Zipf(1.1) over 10 000 keys: the top key alone is ~10% of requests, so plain hashing piles
    // them on one server. With balance-factor 1.25 every placement must leave the chosen server at
    // most ⌈1.25 × mean⌉ in flight (mean = total in flight / servers after the placement). About
    // 300 requests are in flight; a random one completes whenever more than that are running.
    assertThat(maxOverCap(method, Map.of("hash-method", method, "balance-factor", "1.25")))
        .isLessThanOrEqualTo(0);
    // Control: without bounded loads the same workload exceeds the cap.
    assertThat(maxOverCap(method, Map.of("hash-method", method))).isPositive();
  }

  private static int maxOverCap(String method, Map<String, String> options) {
    int servers = 10;
    List<Member> members = Fixtures.members(servers);
    Picker picker = ipHash().newPicker(members, options, env(1));
    Zipf zipf = new Zipf(10_000, 1.1, new Random(5));
    Random random = new Random(6);
    List<Member> running = new ArrayList<>();
    int worst = Integer.MIN_VALUE;
    for (int r = 0; r < 50_000; r++) {
      if (running.size() > 300) {
        running.remove(random.nextInt(running.size())).load().finish(0, 0);
      }
      Member m = picker.pick(Request.ip(key(zipf.next())));
      m.load().start();
      running.add(m);
      double mean = running.size() / (double) servers;
      worst = Math.max(worst, m.load().inFlight() - (int) Math.ceil(1.25 * mean));
    }
    return worst;
  }

  /** Zipf-distributed ranks 0..n-1 by inverse transform over the cumulative weights 1/k^s. */
  static final class Zipf {
    private final double[] cumulative;
    private final Random random;

    Zipf(int n, double s, Random random) {
      this.random = random;
      cumulative = new double[n];
      double sum = 0;
      for (int k = 1; k <= n; k++) {
        sum += 1 / Math.pow(k, s);
        cumulative[k - 1] = sum;
      }
      for (int k = 0; k < n; k++) {
        cumulative[k] /= sum;
      }
    }

    int next() {
      int i = java.util.Arrays.binarySearch(cumulative, random.nextDouble());
      return i >= 0 ? i : -i - 1;
    }
  }

  @Test
  void requestsWithoutTheKeyAreSpreadNotPiledOnOneServer() {
    // No X-User header: placed at a random hash, so three equal servers share ~1/3 each
    // (σ ≈ 0.009 over 3 000 picks; tolerance 0.06 is over six σ).
    Picker picker =
        Balancers.find("header-hash")
            .orElseThrow()
            .newPicker(Fixtures.members(3), Map.of("hash-name", "X-User"), env(2));
    Map<String, Integer> counts = Fixtures.counts(picker, PickRequest.EMPTY, 3_000);
    assertThat(counts.values())
        .allSatisfy(c -> assertThat(c / 3000.0).isCloseTo(1 / 3.0, offset(0.06)));
  }

  @Test
  void eachAlgorithmHashesItsOwnPartOfTheRequest() {
    List<Member> members = Fixtures.members(50);
    Picker header =
        Balancers.find("header-hash")
            .orElseThrow()
            .newPicker(members, Map.of("hash-name", "X-User"), env(1));
    Picker cookie =
        Balancers.find("cookie-hash")
            .orElseThrow()
            .newPicker(members, Map.of("hash-name", "SID"), env(1));
    Picker uri = Balancers.find("uri-hash").orElseThrow().newPicker(members, Map.of(), env(1));
    Picker uriQuery =
        Balancers.find("uri-hash")
            .orElseThrow()
            .newPicker(members, Map.of("hash-query", "true"), env(1));
    Picker ip = ipPicker(members, "consistent");
    // The same key string lands on the same server whatever carries it.
    for (int i = 0; i < 200; i++) {
      String k = "user-" + i;
      String expected = ip.pick(Request.ip(k)).name();
      assertThat(header.pick(Request.header("X-User", k)).name()).isEqualTo(expected);
      assertThat(cookie.pick(Request.cookie("SID", k)).name()).isEqualTo(expected);
      assertThat(uri.pick(Request.uri(k, "page=" + i)).name()).isEqualTo(expected);
    }
    // Without hash-query the query is ignored; with it, /list?page=N spreads over many servers.
    assertThat(
            java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> uri.pick(Request.uri("/list", "page=" + i)).name())
                .distinct()
                .count())
        .isEqualTo(1);
    assertThat(
            java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> uriQuery.pick(Request.uri("/list", "page=" + i)).name())
                .distinct()
                .count())
        .isGreaterThan(30);
  }

  @ParameterizedTest
  @ValueSource(strings = {"consistent", "maglev"})
  void pickExcludingWalksOnAndSaysNoneWhenNothingElseIsLeft(String method) {
    List<Member> members = Fixtures.members(5);
    Picker picker = ipPicker(members, method);
    for (int i = 0; i < 1000; i++) {
      Request r = Request.ip(key(i));
      Member first = picker.pick(r);
      Member other = picker.pickExcluding(r, first);
      assertThat(other.name()).isNotEqualTo(first.name());
      assertThat(picker.pickExcluding(r, first)).isSameAs(other);
    }
    Picker single = ipPicker(members.subList(0, 1), method);
    assertThat(single.pickExcluding(Request.ip("1.2.3.4"), members.get(0))).isNull();
  }

  @Test
  void saysNoneWhenNoServerTakesNewWork() {
    Picker picker =
        ipPicker(
            List.of(member("a", 1, ServerState.DRAINING), member("b", 1, ServerState.DOWN)),
            "maglev");
    assertThat(picker.pick(Request.ip("1.2.3.4"))).isNull();
  }

  @Test
  void reportsBadOptionsWithWhatIsAllowed() {
    BalancerProvider header = Balancers.find("header-hash").orElseThrow();
    assertThat(header.validate(Map.of()))
        .singleElement()
        .asString()
        .contains("needs option hash-name", "X-User-Id");
    assertThat(header.validate(Map.of("hash-name", "X User")))
        .singleElement()
        .asString()
        .contains("'X User'", "header name");
    assertThat(ipHash().validate(Map.of("hash-method", "rendezvous")))
        .singleElement()
        .asString()
        .contains("hash-method", "rendezvous", "consistent, maglev");
    assertThat(ipHash().validate(Map.of("balance-factor", "0.9")))
        .singleElement()
        .asString()
        .contains("balance-factor", "above 1.0", "1.25");
    assertThat(ipHash().validate(Map.of("hash-method", "maglev", "virtual-nodes", "100")))
        .singleElement()
        .asString()
        .contains("virtual-nodes", "consistent");
    assertThat(ipHash().validate(Map.of("hash-query", "true")))
        .singleElement()
        .asString()
        .contains("no option 'hash-query'", "allowed: balance-factor, hash-method, virtual-nodes");
    assertThat(
            Balancers.find("uri-hash")
                .orElseThrow()
                .validate(Map.of("hash-query", "yes", "virtual-nodes", "0")))
        .hasSize(2);
    assertThat(
            Balancers.find("cookie-hash")
                .orElseThrow()
                .validate(
                    Map.of(
                        "hash-name",
                        "JSESSIONID",
                        "hash-method",
                        "maglev",
                        "balance-factor",
                        "1.5")))
        .isEmpty();
  }
}
