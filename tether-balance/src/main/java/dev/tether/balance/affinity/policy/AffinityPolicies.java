package dev.tether.balance.affinity.policy;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.PickRequest;
import dev.tether.balance.affinity.AffinityCookie;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.AffinityStats;
import dev.tether.balance.affinity.table.SessionTracker;
import dev.tether.balance.affinity.table.StickTable;
import dev.tether.balance.affinity.token.KeyRing;
import dev.tether.balance.affinity.token.TokenCodec;
import dev.tether.balance.affinity.token.TokenLifetime;
import java.time.Clock;
import java.util.function.Function;

/**
 * Builds the affinity policy of each mode. Every policy gets its own {@link AffinityStats} and
 * session tracker (window = {@link AffinityRules#sessionWindow()}).
 *
 * <pre>{@code
 * AffinityPolicy p = AffinityPolicies.cookie(AffinityCookie.named("TETHER"), lifetime,
 *     new KeyRing(keys), AffinityRules.DEFAULTS, Clock.systemUTC(), BalanceEnv.SYSTEM);
 * }</pre>
 */
public final class AffinityPolicies {

  /** Most sessions tracked per pool for counting; older ones are dropped beyond. */
  static final long MAX_TRACKED_SESSIONS = 1_000_000;

  private AffinityPolicies() {}

  /** Mode {@code cookie}: a signed token in a cookie Tether sets. */
  public static AffinityPolicy cookie(
      AffinityCookie cookie,
      TokenLifetime lifetime,
      KeyRing keys,
      AffinityRules rules,
      Clock clock,
      BalanceEnv env) {
    requireNonNull(lifetime, "lifetime");
    // A session stays countable until its token could no longer be refreshed.
    AffinityRules counted = rules.withSessionWindow(lifetime.idle());
    return new CookieAffinityPolicy(
        cookie, lifetime, new TokenCodec(keys), assigner(counted, env), clock);
  }

  /** Mode {@code app-cookie}: the application's session cookie, by route suffix or stick table. */
  public static AffinityPolicy appCookie(
      String cookieName,
      String routeSeparator,
      boolean learn,
      StickTable table,
      AffinityRules rules,
      BalanceEnv env) {
    return new AppCookieAffinityPolicy(
        cookieName, routeSeparator, learn, table, new BoundResolution(assigner(rules, env)));
  }

  /**
   * Modes {@code source-ip} and {@code header}: a key from the request, bound by {@code table} or,
   * when {@code table} is {@code null}, by rendezvous hashing.
   *
   * @param key extracts the key; returns {@code null} when the request has none
   */
  public static AffinityPolicy keyed(
      String mode,
      Function<PickRequest, String> key,
      StickTable table,
      AffinityRules rules,
      BalanceEnv env) {
    return new KeyedAffinityPolicy(mode, key, table, new BoundResolution(assigner(rules, env)));
  }

  private static Assigner assigner(AffinityRules rules, BalanceEnv env) {
    requireNonNull(rules, "rules");
    requireNonNull(env, "env");
    SessionTracker sessions =
        new SessionTracker(rules.sessionWindow(), MAX_TRACKED_SESSIONS, env.ticker());
    return new Assigner(rules, new AffinityStats(sessions), env);
  }
}
