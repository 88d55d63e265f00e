package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * Sticky sessions for one pool ({@code pools.<pool>.affinity}); see DESIGN §4. Only the sub-section
 * of the chosen mode may be present, and only that one is non-null here.
 *
 * @param mode how a request is tied to a server ({@code mode}, default none)
 * @param onFailure what happens when the bound server cannot take the request ({@code on-failure},
 *     default redispatch)
 * @param cookie the Tether cookie, non-null exactly in mode cookie
 * @param idleTimeout cookie mode: a token unused this long is ignored ({@code idle-timeout}, 30m)
 * @param absoluteTimeout cookie mode: a token older than this is ignored ({@code absolute-timeout},
 *     8h)
 * @param refreshInterval cookie mode: how often the last-seen time in the token is rewritten
 *     ({@code refresh-interval}, 1m)
 * @param keys cookie mode: signing keys, newest (signing) first; empty means a random key is
 *     generated at start
 * @param appCookie the application's cookie, non-null exactly in mode app-cookie
 * @param sourceIp non-null exactly in mode source-ip
 * @param header non-null exactly in mode header
 * @param table the stick table, non-null when the mode keeps one (app-cookie, or method table)
 * @param balanceFactor bounded load: a server holding more than this × the mean of live sessions
 *     takes no new ones; {@code null} = unbounded
 * @param migration budgeted moving of idle sessions after scale-out, or {@code null} = never; needs
 *     {@code sessions: replicated}
 * @param debugHeader whether responses carry a header naming the affinity decision
 * @param firstRequestWindow unbound requests from one client address within this window share a
 *     server ({@code first-request-window}: 1s with {@code sessions: local}, 0 = off with {@code
 *     sessions: replicated}, where a client's parallel first requests may safely land on different
 *     servers)
 */
public record AffinityConfig(
    Mode mode,
    OnFailure onFailure,
    CookieConfig cookie,
    Duration idleTimeout,
    Duration absoluteTimeout,
    Duration refreshInterval,
    List<KeyConfig> keys,
    AppCookieConfig appCookie,
    SourceIpConfig sourceIp,
    HeaderConfig header,
    TableConfig table,
    Double balanceFactor,
    MigrationConfig migration,
    boolean debugHeader,
    Duration firstRequestWindow) {

  /** The window for a pool whose sessions are local to each server. */
  public static final Duration LOCAL_FIRST_REQUEST_WINDOW = Duration.ofSeconds(1);

  /** No affinity: every request is balanced afresh. */
  public static final AffinityConfig NONE =
      new AffinityConfig(
          Mode.NONE,
          OnFailure.REDISPATCH,
          null,
          Duration.ofMinutes(30),
          Duration.ofHours(8),
          Duration.ofMinutes(1),
          List.of(),
          null,
          null,
          null,
          null,
          null,
          null,
          false,
          LOCAL_FIRST_REQUEST_WINDOW);

  /** The affinity modes; config values are the lower-case names with '-' for '_'. */
  public enum Mode {
    /** No stickiness. */
    NONE,
    /** A signed cookie set by Tether. */
    COOKIE,
    /** The application's own session cookie. */
    APP_COOKIE,
    /** The client address. */
    SOURCE_IP,
    /** A header value or a verified JWT claim. */
    HEADER
  }

  /** What to do when the bound server is down, draining or removed. */
  public enum OnFailure {
    /** Pick another server and re-pin the client (default). */
    REDISPATCH,
    /** Answer 503. */
    STRICT
  }

  /** Hash (stateless, consistent hashing) or stick table. */
  public enum Method {
    /** Consistent hash of the key; no state. */
    HASH,
    /** A bounded, expiring key → server table. */
    TABLE
  }

  public AffinityConfig {
    requireNonNull(mode, "mode");
    requireNonNull(onFailure, "onFailure");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(absoluteTimeout, "absoluteTimeout");
    requireNonNull(refreshInterval, "refreshInterval");
    keys = List.copyOf(keys);
  }
}
