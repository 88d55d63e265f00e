package dev.tether.balance.affinity.policy;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Fixtures;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.testing.time.SettableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** A round-robin pool s1..sN, a manual time source and request builders for policy tests. */
final class PolicyFixture {

  /**
   * Wall time for tokens and monotonic time for tables: one source, moved with {@code
   * clock.advance}.
   */
  final SettableClock clock = new SettableClock(Instant.ofEpochMilli(1_795_000_001_000L));

  final LongSupplier ticker = clock.ticker();
  final BalanceEnv env = Fixtures.env(ticker, 42);
  final Pool pool;

  PolicyFixture(int servers) {
    List<Server> list = new ArrayList<>();
    for (int i = 1; i <= servers; i++) {
      list.add(new Server("s" + i, "127.0.0.1", 9000 + i, 1, "r" + i));
    }
    pool = new Pool("web", list, Balancers.find("round-robin").orElseThrow(), Map.of(), env);
  }

  /** A request from {@code client} with the given cookies (name, value, name, value ...). */
  static PickRequest request(String client, String... cookies) {
    Map<String, String> jar = new HashMap<>();
    for (int i = 0; i + 1 < cookies.length; i += 2) {
      jar.put(cookies[i], cookies[i + 1]);
    }
    return new PickRequest() {
      @Override
      public String clientAddress() {
        return client;
      }

      @Override
      public String cookie(String name) {
        return jar.get(name);
      }

      @Override
      public String header(String name) {
        return jar.get("header:" + name.toLowerCase(java.util.Locale.ROOT));
      }
    };
  }

  /** The cookie value from a {@code Set-Cookie} header value. */
  static String cookieValue(String setCookie) {
    int eq = setCookie.indexOf('=');
    int semi = setCookie.indexOf(';');
    return setCookie.substring(eq + 1, semi < 0 ? setCookie.length() : semi);
  }
}
