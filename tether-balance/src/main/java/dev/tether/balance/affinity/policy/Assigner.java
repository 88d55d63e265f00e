package dev.tether.balance.affinity.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.PoolSnapshot;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.AffinityStats;
import dev.tether.balance.affinity.DrainRules;
import dev.tether.balance.affinity.table.SessionTracker;

/**
 * Chooses the server for a request that has no (usable) binding, for every mode.
 *
 * <p>Design note, in order: (1) a request on a connection that already got a server for an unbound
 * request follows it; (2) unbound requests from one client address within the first-request window
 * get one server: the first to arrive publishes its choice with {@code putIfAbsent}, so concurrent
 * first requests on different event loops agree without a lock (the race HAProxy issue #2295
 * describes for parallel HTTP/2 streams); (3) otherwise the pool's algorithm picks; (4) with a
 * balance factor, a pick holding more than factor × mean live sessions is replaced by the server
 * with the fewest (bounded loads, Mirrokni et al. 2018, applied to sessions instead of hash keys).
 */
final class Assigner {

  private final AffinityRules rules;
  private final AffinityStats stats;
  private final Cache<String, String> pins;
  private final BalanceEnv env;

  /** Ticker reading before which no further session may migrate (token bucket of one). */
  private final java.util.concurrent.atomic.AtomicLong nextMigrationNanos =
      new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

  private volatile DrainRules drain = DrainRules.SOFT;

  Assigner(AffinityRules rules, AffinityStats stats, BalanceEnv env) {
    this.rules = rules;
    this.stats = stats;
    this.env = env;
    this.pins =
        rules.firstRequestWindow().isZero()
            ? null
            : Caffeine.newBuilder()
                .expireAfterWrite(rules.firstRequestWindow())
                .maximumSize(100_000)
                .ticker(env.ticker()::getAsLong)
                .executor(Runnable::run)
                .build();
  }

  AffinityRules rules() {
    return rules;
  }

  AffinityStats stats() {
    return stats;
  }

  DrainRules drain() {
    return drain;
  }

  void drain(DrainRules rules) {
    this.drain = java.util.Objects.requireNonNull(rules, "rules");
  }

  java.util.function.Supplier<java.util.random.RandomGenerator> random() {
    return env.random();
  }

  /** A server for an unbound request avoiding {@code excluded} (may be null); null when none. */
  Member fresh(PickRequest request, PoolSnapshot snapshot, String connectionPin, Member excluded) {
    if (connectionPin != null) {
      Member m = snapshot.member(connectionPin);
      if (usable(m, excluded)) {
        return m;
      }
    }
    String client = pins == null ? null : request.clientAddress();
    if (client != null && excluded == null) {
      String pinned = pins.getIfPresent(client);
      Member m = pinned == null ? null : snapshot.member(pinned);
      if (usable(m, null)) {
        return m;
      }
    }
    Member m =
        excluded == null
            ? snapshot.picker().pick(request)
            : snapshot.picker().pickExcluding(request, excluded);
    if (m == null) {
      return null;
    }
    if (rules.balanceFactor() > 0) {
      m = bounded(m, snapshot, excluded);
    }
    if (client != null) {
      if (excluded != null) {
        pins.put(client, m.name());
      } else {
        String won = pins.asMap().putIfAbsent(client, m.name());
        if (won != null && !won.equals(m.name())) {
          Member first = snapshot.member(won);
          if (usable(first, null)) {
            return first;
          }
          pins.put(client, m.name());
        }
      }
    }
    return m;
  }

  /**
   * The server a session bound to {@code bound} and idle since {@code idleNanos} should move to, or
   * {@code null} to stay: only with migration configured, when {@code bound} holds more than the
   * over-load factor × the mean of live sessions, the least loaded server holds fewer than the
   * mean, and the pool-wide budget of moves per second allows one more.
   */
  Member migrationTarget(Member bound, long idleNanos, PoolSnapshot snapshot) {
    AffinityRules.Migration mig = rules.migration();
    if (mig == null || idleNanos < mig.idleAfter().toNanos() || !bound.acceptsNew()) {
      return null;
    }
    SessionTracker sessions = stats.sessions();
    long total = 0;
    int eligible = 0;
    Member least = null;
    long leastCount = Long.MAX_VALUE;
    for (Member c : snapshot.members()) {
      if (!c.acceptsNew()) {
        continue;
      }
      long n = sessions.count(c.name());
      total += n;
      eligible++;
      if (n < leastCount) {
        leastCount = n;
        least = c;
      }
    }
    if (eligible < 2 || least == null || least.name().equals(bound.name())) {
      return null;
    }
    double mean = (double) total / eligible;
    double factor =
        rules.balanceFactor() > 0 ? rules.balanceFactor() : AffinityRules.DEFAULT_MIGRATION_FACTOR;
    if (sessions.count(bound.name()) <= factor * mean || leastCount >= mean) {
      return null;
    }
    long now = env.ticker().getAsLong();
    long interval = 1_000_000_000L / mig.perSecond();
    long next = nextMigrationNanos.get();
    if (next != Long.MIN_VALUE && now - next < 0) {
      return null;
    }
    return nextMigrationNanos.compareAndSet(next, now + interval) ? least : null;
  }

  private static boolean usable(Member m, Member excluded) {
    return m != null && m.acceptsNew() && (excluded == null || !m.name().equals(excluded.name()));
  }

  private Member bounded(Member m, PoolSnapshot snapshot, Member excluded) {
    SessionTracker sessions = stats.sessions();
    long total = 0;
    int eligible = 0;
    Member least = null;
    long leastCount = Long.MAX_VALUE;
    for (Member c : snapshot.members()) {
      if (!usable(c, excluded)) {
        continue;
      }
      long n = sessions.count(c.name());
      total += n;
      eligible++;
      if (n < leastCount) {
        leastCount = n;
        least = c;
      }
    }
    if (eligible == 0) {
      return m;
    }
    // The cap counts the new session: mean over (total + 1) sessions, so an empty pool is never
    // over.
    double cap = rules.balanceFactor() * (total + 1) / eligible;
    if (sessions.count(m.name()) + 1 > cap && least != null && !least.name().equals(m.name())) {
      stats.countShed();
      return least;
    }
    return m;
  }
}
