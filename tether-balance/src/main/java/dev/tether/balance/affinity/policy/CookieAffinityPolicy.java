package dev.tether.balance.affinity.policy;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.PoolSnapshot;
import dev.tether.balance.affinity.AffinityCookie;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityStats;
import dev.tether.balance.affinity.DrainMode;
import dev.tether.balance.affinity.DrainRules;
import dev.tether.balance.affinity.ResponseHeaders;
import dev.tether.balance.affinity.table.SessionTracker;
import dev.tether.balance.affinity.token.AffinityToken;
import dev.tether.balance.affinity.token.SessionOwners;
import dev.tether.balance.affinity.token.TokenCodec;
import dev.tether.balance.affinity.token.TokenLifetime;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Mode {@code cookie}: the binding lives in a signed token in a cookie Tether sets.
 *
 * <p>Design note: the token is verified (HMAC, constant-time) and its signed times are checked
 * against the idle and absolute lifetimes on every request, so a forged, tampered, replayed-late or
 * undecodable cookie never steers a request (anchors G1; Envoy #26347, oxy #107). Such a request is
 * balanced afresh and gets a new token. The last-seen time is rewritten only once per refresh
 * interval, which also bounds how often a session is counted as live. A draining server keeps the
 * sessions it has and gets no new ones (its tokens still hit; fresh picks never choose it).
 *
 * <p>Failover to the replica owner: the app instances say which of them hold the session in memory
 * ({@code Tether-Session-Owners}, a grid's primary and backups); the token keeps that ranked list,
 * rewritten whenever a response names other owners. When the bound server is down, removed, refused
 * the connection or is drained hard, the request goes to the first owner that is up, with outcome
 * {@link AffinityOutcome#FAILOVER_OWNER}, and only without one to the pool's algorithm. On-failure
 * strict stays strict: it refuses instead of re-pinning, owners or not. Every re-pin advances the
 * token's binding epoch ({@link AffinityToken#movedTo}), so a session bound to a server, moved away
 * and bound back never carries the binding it had before ({@code Tether-Binding}).
 */
final class CookieAffinityPolicy implements AffinityPolicy {

  /** Tolerated clock difference between Tether instances for a token's issue time, in seconds. */
  private static final long SKEW_SECONDS = 60;

  private final AffinityCookie cookie;
  private final String wireName;
  private final String attributes;
  private final TokenCodec codec;
  private final long idle;
  private final long absolute;
  private final long refresh;
  private final Assigner assigner;
  private final Clock clock;
  private final Supplier<RandomGenerator> random;

  CookieAffinityPolicy(
      AffinityCookie cookie,
      TokenLifetime lifetime,
      TokenCodec codec,
      Assigner assigner,
      Clock clock) {
    this.cookie = requireNonNull(cookie, "cookie");
    this.wireName = cookie.wireName();
    this.attributes = cookie.attributes();
    this.codec = requireNonNull(codec, "codec");
    this.idle = lifetime.idle().toSeconds();
    this.absolute = lifetime.absolute().toSeconds();
    this.refresh = lifetime.refresh().toSeconds();
    this.assigner = requireNonNull(assigner, "assigner");
    this.clock = requireNonNull(clock, "clock");
    this.random = assigner.random();
  }

  @Override
  public String mode() {
    return "cookie";
  }

  AffinityCookie cookie() {
    return cookie;
  }

  @Override
  public AffinityDecision decide(PickRequest request, PoolSnapshot snapshot, String connectionPin) {
    long now = clock.millis() / 1000;
    String text = request.cookie(wireName);
    if (text == null) {
      return fresh(request, snapshot, connectionPin, null, AffinityOutcome.NEW, now);
    }
    AffinityToken t = codec.decode(text);
    if (t == null || t.lastSeen() < t.issuedAt() || t.issuedAt() > now + SKEW_SECONDS) {
      return fresh(request, snapshot, connectionPin, null, AffinityOutcome.INVALID, now);
    }
    if (now - t.lastSeen() > idle || now - t.issuedAt() > absolute) {
      return fresh(request, snapshot, connectionPin, null, AffinityOutcome.EXPIRED, now);
    }
    Member m = snapshot.member(t.server());
    if (m == null || !m.acceptsBound()) {
      if (assigner.rules().strict()) {
        return refuse();
      }
      Member owner = nextOwner(t, snapshot, null, 0);
      if (owner != null) {
        return failover(t, owner, now);
      }
      return fresh(request, snapshot, connectionPin, null, AffinityOutcome.REDISPATCHED_DOWN, now);
    }
    if (!m.acceptsNew()) {
      AffinityDecision d = draining(request, snapshot, t, m, now);
      if (d != null) {
        return d;
      }
    }
    Member target = assigner.migrationTarget(m, (now - t.lastSeen()) * 1_000_000_000L, snapshot);
    if (target != null) {
      // Budgeted rebalancing: the session moves at a safe point (idle, sessions replicated).
      AffinityToken moved = t.movedTo(target.name(), now);
      assigner.stats().sessions().touch(moved.sessionKey(), target.name());
      assigner.stats().record(AffinityOutcome.REBALANCED);
      return new AffinityDecision(
          target, AffinityOutcome.REBALANCED, setCookie(moved), null, moved);
    }
    String setCookie = null;
    AffinityToken current = t;
    if (now - t.lastSeen() >= refresh) {
      current = t.seenAt(now);
      assigner.stats().sessions().touch(current.sessionKey(), current.server());
      setCookie = setCookie(current);
    }
    assigner.stats().record(AffinityOutcome.HIT);
    return new AffinityDecision(m, AffinityOutcome.HIT, setCookie, null, current);
  }

  @Override
  public AffinityDecision redispatch(
      AffinityDecision failed, PickRequest request, PoolSnapshot snapshot) {
    if (failed.member() == null) {
      return failed;
    }
    if (failed.outcome() == AffinityOutcome.HIT && assigner.rules().strict()) {
      return refuse();
    }
    long now = clock.millis() / 1000;
    AffinityToken t = failed.token();
    boolean bound =
        failed.outcome() == AffinityOutcome.HIT
            || failed.outcome() == AffinityOutcome.FAILOVER_OWNER;
    if (bound && t != null) {
      // After a failed failover only the owners ranked below the one that failed are left to try.
      Member owner =
          nextOwner(
              t,
              snapshot,
              failed.member().name(),
              failed.outcome() == AffinityOutcome.FAILOVER_OWNER
                  ? t.owners().indexOf(t.server()) + 1
                  : 0);
      if (owner != null) {
        return failover(t, owner, now);
      }
    }
    AffinityOutcome o = bound ? AffinityOutcome.REDISPATCHED_DOWN : failed.outcome();
    return fresh(request, snapshot, null, failed.member(), o, now);
  }

  /**
   * Adds the decision's cookie. When the response names the session's owners and they differ from
   * those in the token, the cookie is (re)written with the new owners, so the next request after an
   * ownership change carries them. A response without owners changes nothing.
   */
  @Override
  public void onResponse(AffinityDecision decision, ResponseHeaders headers) {
    String setCookie = decision.setCookie();
    AffinityToken t = decision.token();
    if (t != null && decision.member() != null && t.server().equals(decision.member().name())) {
      List<String> owners = SessionOwners.parse(headers.sessionOwners());
      if (owners != null && !owners.equals(t.owners())) {
        setCookie = setCookie(t.withOwners(owners));
      }
    }
    if (setCookie != null) {
      headers.add("Set-Cookie", setCookie);
    }
  }

  @Override
  public void drainRules(DrainRules rules) {
    assigner.drain(rules);
  }

  @Override
  public DrainRules drainRules() {
    return assigner.drain();
  }

  /**
   * A request bound to draining {@code m}: moved with a new token when the drain rules say so,
   * otherwise {@code null} (a hit). While a server drains its sessions are tracked on every
   * request, not once per refresh interval, so the session count and the idle time a boundary drain
   * judges by are exact; before the drain the tracker knew the session to within the refresh
   * interval, and the token's own last-seen time bounds the idle time as well.
   */
  private AffinityDecision draining(
      PickRequest request, PoolSnapshot snapshot, AffinityToken t, Member m, long now) {
    SessionTracker sessions = assigner.stats().sessions();
    long tokenIdle = Math.max(0, now - t.lastSeen()) * 1_000_000_000L;
    long idle = Math.min(tokenIdle, sessions.idleNanos(t.sessionKey()));
    if (assigner.drain().repin(m, idle)) {
      if (assigner.drain().mode() == DrainMode.HARD) {
        Member owner = nextOwner(t, snapshot, m.name(), 0);
        if (owner != null) {
          return failover(t, owner, now);
        }
      }
      Member target = assigner.fresh(request, snapshot, null, m);
      if (target != null) {
        AffinityToken moved = t.movedTo(target.name(), now);
        sessions.touch(moved.sessionKey(), target.name());
        assigner.stats().record(AffinityOutcome.REDISPATCHED_DRAIN);
        return new AffinityDecision(
            target, AffinityOutcome.REDISPATCHED_DRAIN, setCookie(moved), null, moved);
      }
    }
    sessions.touch(t.sessionKey(), m.name());
    return null;
  }

  @Override
  public AffinityStats stats() {
    return assigner.stats();
  }

  private AffinityDecision refuse() {
    assigner.stats().record(AffinityOutcome.REFUSED);
    return new AffinityDecision(null, AffinityOutcome.REFUSED, null, null);
  }

  private AffinityDecision fresh(
      PickRequest request,
      PoolSnapshot snapshot,
      String pin,
      Member excluded,
      AffinityOutcome outcome,
      long now) {
    Member m = assigner.fresh(request, snapshot, pin, excluded);
    assigner.stats().record(outcome);
    if (m == null) {
      return new AffinityDecision(null, outcome, null, null);
    }
    AffinityToken t = new AffinityToken(random.get().nextInt(), m.name(), now, now);
    assigner.stats().sessions().touch(t.sessionKey(), m.name());
    return new AffinityDecision(m, outcome, setCookie(t), null, t);
  }

  /**
   * The first of {@code t}'s owners, in rank order, that is up (takes new work), other than the
   * server the token names and {@code failed}, from rank {@code from} on; {@code null} when none
   * is.
   */
  private static Member nextOwner(AffinityToken t, PoolSnapshot snapshot, String failed, int from) {
    List<String> owners = t.owners();
    for (int i = from; i < owners.size(); i++) {
      String name = owners.get(i);
      if (name.equals(t.server()) || name.equals(failed)) {
        continue;
      }
      Member m = snapshot.member(name);
      if (m != null && m.acceptsNew()) {
        return m;
      }
    }
    return null;
  }

  /** The session moves to {@code owner}, which holds it in memory: a new binding epoch. */
  private AffinityDecision failover(AffinityToken t, Member owner, long now) {
    AffinityToken moved = t.movedTo(owner.name(), now);
    assigner.stats().sessions().touch(moved.sessionKey(), owner.name());
    assigner.stats().record(AffinityOutcome.FAILOVER_OWNER);
    return new AffinityDecision(
        owner, AffinityOutcome.FAILOVER_OWNER, setCookie(moved), null, moved);
  }

  private String setCookie(AffinityToken t) {
    return wireName + '=' + codec.encode(t) + attributes;
  }
}
