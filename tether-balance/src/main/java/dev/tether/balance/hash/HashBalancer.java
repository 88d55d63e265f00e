package dev.tether.balance.hash;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.BalancerProvider;
import dev.tether.balance.ConfiguredBalancer;
import dev.tether.balance.EligibleMembers;
import dev.tether.balance.Member;
import dev.tether.balance.OptionsReader;
import dev.tether.balance.Picker;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The hash family: one provider per {@link HashKey}, each running on a consistent-hash ring or a
 * Maglev table, optionally with bounded loads.
 *
 * <p>Options: {@code hash-method: consistent|maglev} (default consistent); {@code hash-name} (the
 * header or cookie, required for header-hash and cookie-hash); {@code hash-query: true|false}
 * (uri-hash, default false); {@code balance-factor} (a number above 1.0 such as 1.25; off when
 * absent); {@code virtual-nodes} (ring points per weight unit, 1 to 10 000, default 160).
 *
 * <p>A request without the key (no such header or cookie, no client address) is placed as if its
 * key hashed to a random value: spread in proportion to weight, with bounded loads still applied.
 * Slow start does not apply to hashing: ramping a server's share would move keys twice.
 */
final class HashBalancer implements BalancerProvider {

  static final String METHOD = "hash-method";
  static final String NAME = "hash-name";
  static final String QUERY = "hash-query";
  static final String FACTOR = "balance-factor";
  static final String VIRTUAL_NODES = "virtual-nodes";
  static final int DEFAULT_VIRTUAL_NODES = 160;

  /** RFC 9110 token characters: what a header or cookie name may contain. */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final HashKey key;

  HashBalancer(HashKey key) {
    this.key = key;
  }

  @Override
  public String name() {
    return key.algorithm();
  }

  @Override
  public String description() {
    return switch (key) {
      case IP ->
          "The same client address goes to the same server, with no state and the same answer on every"
              + " balancer instance: choose it for stickiness when clients cannot keep a cookie.";
      case URI ->
          "The same path goes to the same server: choose it in front of caches so that each object is"
              + " cached on one server only.";
      case HEADER ->
          "The same value of a named header (a user or tenant id) goes to the same server: choose it for"
              + " API clients that send an identity header but no cookies.";
      case COOKIE ->
          "The same value of a named cookie goes to the same server: choose it to pin the application's own"
              + " session cookie without a stick table.";
    };
  }

  @Override
  public List<String> optionKeys() {
    List<String> keys = new ArrayList<>(List.of(METHOD));
    if (key.named()) {
      keys.add(NAME);
    }
    if (key == HashKey.URI) {
      keys.add(QUERY);
    }
    keys.add(FACTOR);
    keys.add(VIRTUAL_NODES);
    return List.copyOf(keys);
  }

  @Override
  public ConfiguredBalancer.Result configure(Map<String, String> options) {
    OptionsReader r = new OptionsReader(name(), options, new LinkedHashSet<>(optionKeys()));
    HashOptions read = read(r);
    return r.problems().isEmpty()
        ? ConfiguredBalancer.Result.of(new Configured(this, read))
        : ConfiguredBalancer.Result.refused(r.problems());
  }

  @Override
  public List<String> validate(Map<String, String> options) {
    return configure(options).problems();
  }

  @Override
  public Picker newPicker(List<Member> members, Map<String, String> options, BalanceEnv env) {
    return configure(options).orElseThrow("algorithm " + name()).newPicker(members, env);
  }

  /** A hash algorithm with its options read. */
  record Configured(HashBalancer provider, HashOptions options) implements ConfiguredBalancer {
    @Override
    public Picker newPicker(List<Member> members, BalanceEnv env) {
      return provider.newPicker(members, options, env);
    }
  }

  private Picker newPicker(List<Member> members, HashOptions s, BalanceEnv env) {
    Member[] ms = EligibleMembers.byName(members);
    if (ms.length == 0) {
      return EligibleMembers.NONE;
    }
    HashTable table = s.maglev() ? MaglevTable.build(ms) : RingTable.build(ms, s.virtualNodes());
    return new HashPicker(
        ms,
        table,
        new HashPicker.KeyRule(key, s.keyName(), s.query()),
        s.balanceFactor(),
        env.random());
  }

  private HashOptions read(OptionsReader r) {
    boolean maglev =
        r.choice(METHOD, "consistent", List.of("consistent", "maglev")).equals("maglev");
    String headerOrCookie = null;
    if (key.named()) {
      headerOrCookie = r.raw(NAME);
      String what = key == HashKey.HEADER ? "header" : "cookie";
      if (headerOrCookie == null || headerOrCookie.isEmpty()) {
        r.problem(
            "Algorithm "
                + name()
                + " needs option "
                + NAME
                + ": the "
                + what
                + " to hash, e.g. "
                + (key == HashKey.HEADER ? "X-User-Id" : "JSESSIONID")
                + ".");
      } else if (!TOKEN.matcher(headerOrCookie).matches()) {
        r.problem(
            "Option "
                + NAME
                + " of algorithm "
                + name()
                + " is '"
                + headerOrCookie
                + "'; it must be a "
                + what
                + " name made of letters, digits and !#$%&'*+.^_`|~- only.");
      }
    }
    boolean query = key == HashKey.URI && r.bool(QUERY, false);
    double factor = r.number(FACTOR, 0, 1.0, 100.0, "1.25");
    int virtualNodes = r.integer(VIRTUAL_NODES, DEFAULT_VIRTUAL_NODES, 1, 10_000);
    if (maglev && r.has(VIRTUAL_NODES)) {
      r.problem(
          "Option "
              + VIRTUAL_NODES
              + " of algorithm "
              + name()
              + " applies only to "
              + METHOD
              + ": consistent; a Maglev table is sized automatically (a prime ≥ 100 × servers).");
    }
    return new HashOptions(maglev, headerOrCookie, query, factor, virtualNodes);
  }

  /** Every member of the family. */
  static List<HashBalancer> family() {
    List<HashBalancer> all = new ArrayList<>();
    for (HashKey k : HashKey.values()) {
      all.add(new HashBalancer(k));
    }
    return all;
  }
}
