package dev.tether.balance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Members, a manual ticker and seeded randomness for deterministic picker tests. */
public final class Fixtures {

  private Fixtures() {}

  /** A ticker that moves only when told to. */
  public static final class ManualTicker implements LongSupplier {
    private long now = 1_000_000_000L;

    @Override
    public long getAsLong() {
      return now;
    }

    public void advance(long amount, TimeUnit unit) {
      now += unit.toNanos(amount);
    }
  }

  /** An environment with {@code ticker} and one seeded generator (tests are single-threaded). */
  public static BalanceEnv env(LongSupplier ticker, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return new BalanceEnv(ticker, () -> random);
  }

  public static BalanceEnv env(long seed) {
    return env(new ManualTicker(), seed);
  }

  public static Member member(String name, int weight) {
    return member(name, weight, ServerState.UP);
  }

  public static Member member(String name, int weight, ServerState state) {
    return new Member(
        new Server(name, "127.0.0.1", 9000, weight), state, new ServerLoad(), Member.UP_FROM_START);
  }

  /** {@code n} UP members of weight 1 named s0, s1, ... sharing one load group. */
  public static List<Member> members(int n) {
    ServerLoad.Group group = new ServerLoad.Group();
    List<Member> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(
          new Member(
              new Server("s" + i, "127.0.0.1", 9000, 1),
              ServerState.UP,
              new ServerLoad(group),
              Member.UP_FROM_START));
    }
    return list;
  }

  /** A request with the given attributes; header and cookie names as given (tests use one case). */
  public record Request(
      String clientAddress,
      String path,
      String query,
      Map<String, String> headers,
      Map<String, String> cookies)
      implements PickRequest {

    public static Request ip(String address) {
      return new Request(address, null, null, Map.of(), Map.of());
    }

    public static Request uri(String path, String query) {
      return new Request(null, path, query, Map.of(), Map.of());
    }

    public static Request header(String name, String value) {
      Map<String, String> h = new HashMap<>();
      h.put(name, value);
      return new Request(null, null, null, h, Map.of());
    }

    public static Request cookie(String name, String value) {
      Map<String, String> c = new HashMap<>();
      c.put(name, value);
      return new Request(null, null, null, Map.of(), c);
    }

    @Override
    public String header(String name) {
      return headers.get(name);
    }

    @Override
    public String cookie(String name) {
      return cookies.get(name);
    }
  }

  /** How often each member name was picked in {@code picks} picks. */
  public static Map<String, Integer> counts(Picker picker, PickRequest request, int picks) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(picker.pick(request).name(), 1, Integer::sum);
    }
    return counts;
  }
}
