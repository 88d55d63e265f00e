package dev.tether.proxy.affinity;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.PickRequest;
import dev.tether.balance.affinity.AffinityCookie;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.ClientPrefix;
import dev.tether.balance.affinity.policy.AffinityPolicies;
import dev.tether.balance.affinity.table.LocalStickTable;
import dev.tether.balance.affinity.table.StickTable;
import dev.tether.balance.affinity.token.KeyRing;
import dev.tether.balance.affinity.token.SigningKey;
import dev.tether.balance.affinity.token.TokenLifetime;
import dev.tether.proxy.config.AffinityConfig;
import dev.tether.proxy.config.CookieConfig;
import dev.tether.proxy.config.KeyConfig;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.TableConfig;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a pool's {@link AffinityPolicy} from its validated {@link AffinityConfig}. The control
 * plane keeps the built policy across reloads while the pool's affinity section is unchanged, so
 * stick tables, session counts and a generated key survive.
 */
public final class AffinityPolicyFactory {

  private static final Logger log = LoggerFactory.getLogger(AffinityPolicyFactory.class);

  private final Clock clock;
  private final BalanceEnv env;

  public AffinityPolicyFactory(Clock clock, BalanceEnv env) {
    this.clock = requireNonNull(clock, "clock");
    this.env = requireNonNull(env, "env");
  }

  /** The policy for {@code pool}, or {@code null} for mode none. */
  public AffinityPolicy build(PoolConfig pool) {
    AffinityConfig a = pool.affinity();
    AffinityRules.Migration migration =
        a.migration() == null
            ? null
            : new AffinityRules.Migration(a.migration().idleAfter(), a.migration().rate());
    AffinityRules rules =
        new AffinityRules(
            a.onFailure() == AffinityConfig.OnFailure.STRICT,
            a.balanceFactor() == null ? 0 : a.balanceFactor(),
            a.firstRequestWindow(),
            a.idleTimeout(),
            migration);
    if (migration != null && a.mode() != AffinityConfig.Mode.COOKIE) {
      log.warn(
          "pool {}: affinity migration applies to mode cookie only in this build; {} sessions are never moved",
          pool.name(),
          a.mode().name().toLowerCase(Locale.ROOT));
    }
    return switch (a.mode()) {
      case NONE -> null;
      case COOKIE ->
          AffinityPolicies.cookie(
              cookie(a.cookie()),
              new TokenLifetime(a.idleTimeout(), a.absoluteTimeout(), a.refreshInterval()),
              keys(pool.name(), a.keys()),
              rules,
              clock,
              env);
      case APP_COOKIE ->
          AffinityPolicies.appCookie(
              a.appCookie().name(),
              a.appCookie().routeSeparator(),
              a.appCookie().learn(),
              table(pool.name(), a.table()),
              tableRules(rules, a.table()),
              env);
      case SOURCE_IP -> {
        ClientPrefix prefix =
            new ClientPrefix(a.sourceIp().ipv4Prefix(), a.sourceIp().ipv6Prefix());
        yield keyed(
            "source-ip", r -> prefix.key(r.clientAddress()), a.sourceIp().method(), pool, rules);
      }
      case HEADER -> {
        String name = a.header().name();
        Function<PickRequest, String> key =
            a.header().jwt() == null
                ? r -> r.header(name)
                : new JwtClaimKey(name, a.header().jwt());
        yield keyed("header", key, a.header().method(), pool, rules);
      }
    };
  }

  private AffinityPolicy keyed(
      String mode,
      Function<PickRequest, String> key,
      AffinityConfig.Method method,
      PoolConfig pool,
      AffinityRules rules) {
    TableConfig t = pool.affinity().table();
    StickTable table = method == AffinityConfig.Method.TABLE ? table(pool.name(), t) : null;
    return AffinityPolicies.keyed(
        mode, key, table, table == null ? rules : tableRules(rules, t), env);
  }

  private static AffinityRules tableRules(AffinityRules rules, TableConfig t) {
    return t == null ? rules : rules.withSessionWindow(t.expire());
  }

  private StickTable table(String pool, TableConfig t) {
    TableConfig c =
        t != null
            ? t
            : new TableConfig(100_000, Duration.ofMinutes(30), TableConfig.Store.LOCAL, null);
    if (c.store() == TableConfig.Store.REDIS) {
      return new RedisStickTable(c.redisUri(), pool, c.expire());
    }
    return new LocalStickTable(c.size(), c.expire(), env.ticker());
  }

  static AffinityCookie cookie(CookieConfig c) {
    String sameSite =
        c.sameSite().name().charAt(0) + c.sameSite().name().substring(1).toLowerCase(Locale.ROOT);
    return new AffinityCookie(
        c.name(),
        c.path(),
        c.domain(),
        c.maxAge() == null ? -1 : c.maxAge().toSeconds(),
        c.secure(),
        c.httpOnly(),
        sameSite,
        c.hostPrefix());
  }

  private static KeyRing keys(String pool, List<KeyConfig> keys) {
    if (keys.isEmpty()) {
      log.warn(
          "pool {}: no affinity keys configured; a random key is used, so affinity cookies do not survive a restart "
              + "and are not shared with other Tether instances",
          pool);
      return KeyRing.random(new SecureRandom());
    }
    List<SigningKey> ring = new ArrayList<>();
    for (KeyConfig k : keys) {
      ring.add(new SigningKey(k.id(), k.secret()));
    }
    return new KeyRing(ring);
  }
}
