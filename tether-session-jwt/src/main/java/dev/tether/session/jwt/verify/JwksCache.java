package dev.tether.session.jwt.verify;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's JWK set as last fetched. A lookup is lock-free while the set is younger than {@code
 * maxAge} and knows the {@code kid}; otherwise one caller fetches again, at most once per {@code
 * minInterval} (an unknown {@code kid} is how a rotation shows, and also what an attacker sends, so
 * it may cost a fetch but never more than one per interval). A failed fetch keeps the previous set
 * and is logged; the next attempt waits out the interval. Thread-safe.
 */
public final class JwksCache {

  private static final Logger log = LoggerFactory.getLogger(JwksCache.class);

  private final URI uri;
  private final JwksFetcher fetcher;
  private final Duration maxAge;
  private final Duration minInterval;
  private final Clock clock;
  private volatile Snapshot snapshot = new Snapshot(null, Instant.MIN);
  private Instant lastAttempt = Instant.MIN; // guarded by this
  private long fetches; // guarded by this

  /**
   * @param uri the JWK set's URL
   * @param fetcher how to fetch it
   * @param maxAge how long a fetched set is used before it is fetched again
   * @param minInterval the least time between two fetch attempts
   * @param clock judges both
   */
  public JwksCache(
      URI uri, JwksFetcher fetcher, Duration maxAge, Duration minInterval, Clock clock) {
    this.uri = requireNonNull(uri, "uri");
    this.fetcher = requireNonNull(fetcher, "fetcher");
    this.maxAge = requireNonNull(maxAge, "maxAge");
    this.minInterval = requireNonNull(minInterval, "minInterval");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * The key {@code kid}, fetching the set first when it is stale or lacks the key (rate-limited).
   *
   * @throws KeysUnavailableException when no set was ever fetched successfully
   */
  public Optional<JWK> key(String kid) {
    requireNonNull(kid, "kid");
    Instant now = clock.instant();
    Snapshot s = snapshot;
    if (s.set != null && now.isBefore(s.fetchedAt.plus(maxAge))) {
      JWK k = s.set.getKeyByKeyId(kid);
      if (k != null) {
        return Optional.of(k);
      }
    }
    s = refresh(now);
    if (s.set == null) {
      throw new KeysUnavailableException(
          "the issuer's JWK set at " + uri + " could not be fetched yet");
    }
    return Optional.ofNullable(s.set.getKeyByKeyId(kid));
  }

  /** How many fetches succeeded. */
  public synchronized long fetches() {
    return fetches;
  }

  private synchronized Snapshot refresh(Instant now) {
    Snapshot s = snapshot;
    if (now.isBefore(lastAttempt.plus(minInterval))) {
      return s; // fetched (or tried) a moment ago: the answer would be the same
    }
    lastAttempt = now;
    try {
      JWKSet set = JWKSet.parse(fetcher.fetch(uri));
      fetches++;
      s = new Snapshot(set, now);
      snapshot = s;
      log.debug("fetched {} keys from {}", set.getKeys().size(), uri);
    } catch (IOException | ParseException | RuntimeException e) {
      log.warn(
          "fetching the JWK set at {} failed, keeping the previous one: {}", uri, e.toString());
    }
    return s;
  }

  private record Snapshot(JWKSet set, Instant fetchedAt) {}
}
