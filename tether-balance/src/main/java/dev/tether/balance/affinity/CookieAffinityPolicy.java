package dev.tether.balance.affinity;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.PoolSnapshot;
import java.time.Clock;
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

  CookieAffinityPolicy(AffinityCookie cookie, TokenLifetime lifetime, TokenCodec codec, Assigner assigner, Clock clock) {
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
      AffinityToken moved = new AffinityToken(t.session(), target.name(), t.issuedAt(), now);
      assigner.stats().sessions().touch(moved.sessionKey(), target.name());
      assigner.stats().record(AffinityOutcome.REBALANCED);
      return new AffinityDecision(target, AffinityOutcome.REBALANCED, wireName + '=' + codec.encode(moved) + attributes, null);
    }
    String setCookie = null;
    if (now - t.lastSeen() >= refresh) {
      AffinityToken seen = t.seenAt(now);
      assigner.stats().sessions().touch(seen.sessionKey(), seen.server());
      setCookie = wireName + '=' + codec.encode(seen) + attributes;
    }
    assigner.stats().record(AffinityOutcome.HIT);
    return new AffinityDecision(m, AffinityOutcome.HIT, setCookie, null);
  }

  @Override
  public AffinityDecision redispatch(AffinityDecision failed, PickRequest request, PoolSnapshot snapshot) {
    if (failed.member() == null) {
      return failed;
    }
    if (failed.outcome() == AffinityOutcome.HIT && assigner.rules().strict()) {
      return refuse();
    }
    AffinityOutcome o = failed.outcome() == AffinityOutcome.HIT ? AffinityOutcome.REDISPATCHED_DOWN : failed.outcome();
    return fresh(request, snapshot, null, failed.member(), o, clock.millis() / 1000);
  }

  @Override
  public void onResponse(AffinityDecision decision, ResponseHeaders headers) {
    if (decision.setCookie() != null) {
      headers.add("Set-Cookie", decision.setCookie());
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
   * otherwise {@code null} (a hit). While a server drains its sessions are tracked on every request,
   * not once per refresh interval, so the session count and the idle time a boundary drain judges
   * by are exact; before the drain the tracker knew the session to within the refresh interval, and
   * the token's own last-seen time bounds the idle time as well.
   */
  private AffinityDecision draining(PickRequest request, PoolSnapshot snapshot, AffinityToken t, Member m, long now) {
    SessionTracker sessions = assigner.stats().sessions();
    long tokenIdle = Math.max(0, now - t.lastSeen()) * 1_000_000_000L;
    long idle = Math.min(tokenIdle, sessions.idleNanos(t.sessionKey()));
    if (assigner.drain().repin(m, idle)) {
      Member target = assigner.fresh(request, snapshot, null, m);
      if (target != null) {
        AffinityToken moved = new AffinityToken(t.session(), target.name(), t.issuedAt(), now);
        sessions.touch(moved.sessionKey(), target.name());
        assigner.stats().record(AffinityOutcome.REDISPATCHED_DRAIN);
        return new AffinityDecision(target, AffinityOutcome.REDISPATCHED_DRAIN,
            wireName + '=' + codec.encode(moved) + attributes, null);
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

  private AffinityDecision fresh(PickRequest request, PoolSnapshot snapshot, String pin, Member excluded,
      AffinityOutcome outcome, long now) {
    Member m = assigner.fresh(request, snapshot, pin, excluded);
    assigner.stats().record(outcome);
    if (m == null) {
      return new AffinityDecision(null, outcome, null, null);
    }
    AffinityToken t = new AffinityToken(random.get().nextInt(), m.name(), now, now);
    assigner.stats().sessions().touch(t.sessionKey(), m.name());
    return new AffinityDecision(m, outcome, wireName + '=' + codec.encode(t) + attributes, null);
  }
}
