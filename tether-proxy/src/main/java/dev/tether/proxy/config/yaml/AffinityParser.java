package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.AffinityConfig;
import dev.tether.proxy.config.AffinityConfig.Method;
import dev.tether.proxy.config.AffinityConfig.Mode;
import dev.tether.proxy.config.AppCookieConfig;
import dev.tether.proxy.config.CookieConfig;
import dev.tether.proxy.config.Durations;
import dev.tether.proxy.config.HeaderConfig;
import dev.tether.proxy.config.KeyConfig;
import dev.tether.proxy.config.MigrationConfig;
import dev.tether.proxy.config.NameRules;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.SourceIpConfig;
import dev.tether.proxy.config.TableConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads a pool's {@code affinity} section. Every key is declared up front so that a key of another
 * mode gets "applies to mode X" rather than "unknown key"; the mode-specific parts are read only
 * for the chosen mode, by this class and by {@link CookieAffinityParser} and {@link
 * HeaderAffinityParser}.
 */
final class AffinityParser {

  /** Keys that belong to one mode only. */
  private static final Map<String, Mode> OWNED_BY =
      Map.of(
          "cookie",
          Mode.COOKIE,
          "idle-timeout",
          Mode.COOKIE,
          "absolute-timeout",
          Mode.COOKIE,
          "refresh-interval",
          Mode.COOKIE,
          "keys",
          Mode.COOKIE,
          "app-cookie",
          Mode.APP_COOKIE,
          "source-ip",
          Mode.SOURCE_IP,
          "header",
          Mode.HEADER);

  private static final List<String> KEYS =
      List.of(
          "mode",
          "on-failure",
          "cookie",
          "idle-timeout",
          "absolute-timeout",
          "refresh-interval",
          "keys",
          "app-cookie",
          "source-ip",
          "header",
          "table",
          "balance-factor",
          "migration",
          "debug-header",
          "first-request-window");
  private static final Duration POSITIVE = Duration.ofMillis(1);
  private static final Duration MAX_FIRST_REQUEST_WINDOW = Duration.ofSeconds(10);

  private final CookieAffinityParser cookieReader;
  private final HeaderAffinityParser headerReader;

  /** See {@link CookieAffinityParser#secureDefault}. */
  void secureCookieDefault(boolean secure) {
    cookieReader.secureDefault = secure;
  }

  AffinityParser(SecretResolver secrets, Path baseDir) {
    this.cookieReader = new CookieAffinityParser(secrets);
    this.headerReader = new HeaderAffinityParser(secrets, baseDir);
  }

  /** The affinity settings, or null when they cannot be built (problems reported). */
  AffinityConfig read(YamlSection s, PoolConfig.SessionsMode sessions) {
    Mode mode = s.choice("mode", Mode.class, Mode.NONE);
    for (String key : KEYS) {
      Mode owner = OWNED_BY.get(key);
      if (!s.has(key) || key.equals("mode")) {
        continue;
      }
      if (mode == Mode.NONE) {
        s.errorAtKey(
            key,
            "has no effect with mode none; set mode to cookie, app-cookie, "
                + "source-ip or header, or remove it");
      } else if (owner != null && owner != mode) {
        s.errorAtKey(
            key,
            "applies to mode "
                + NameRules.configName(owner)
                + ", but mode is "
                + NameRules.configName(mode));
      }
    }
    if (mode == Mode.NONE) {
      s.finish();
      return AffinityConfig.NONE;
    }
    AffinityConfig.OnFailure onFailure =
        s.choice("on-failure", AffinityConfig.OnFailure.class, AffinityConfig.OnFailure.REDISPATCH);
    AffinityConfig defaults = AffinityConfig.NONE;
    Duration idle = defaults.idleTimeout();
    Duration absolute = defaults.absoluteTimeout();
    Duration refresh = defaults.refreshInterval();
    CookieConfig cookie = null;
    List<KeyConfig> keys = List.of();
    AppCookieConfig appCookie = null;
    SourceIpConfig sourceIp = null;
    HeaderConfig header = null;
    boolean usesTable;
    switch (mode) {
      case COOKIE -> {
        cookie = cookieReader.readCookie(s.section("cookie"));
        idle = s.duration("idle-timeout", idle, POSITIVE);
        absolute = s.duration("absolute-timeout", absolute, POSITIVE);
        refresh = s.duration("refresh-interval", refresh, POSITIVE);
        checkLifetimes(s, idle, absolute, refresh);
        keys = cookieReader.readKeys(s);
        usesTable = false;
      }
      case APP_COOKIE -> {
        appCookie = readAppCookie(s.section("app-cookie"));
        usesTable = true;
      }
      case SOURCE_IP -> {
        sourceIp = readSourceIp(s.section("source-ip"));
        usesTable = sourceIp.method() == Method.TABLE;
      }
      default -> {
        header = headerReader.read(s.section("header"));
        usesTable = header != null && header.method() == Method.TABLE;
      }
    }
    TableConfig table = null;
    if (usesTable) {
      table = readTable(s.section("table"));
    } else if (s.has("table") && mode != Mode.COOKIE) {
      s.errorAtKey(
          "table",
          "applies only with method: table (" + NameRules.configName(mode) + ".method is hash)");
    } else if (s.has("table")) {
      s.errorAtKey(
          "table",
          "mode cookie keeps no table; a table applies to modes app-cookie, "
              + "source-ip and header");
    }
    Double balanceFactor = s.decimal("balance-factor");
    if (balanceFactor != null && !(balanceFactor > 1.0 && balanceFactor <= 100.0)) {
      s.error(
          "balance-factor",
          balanceFactor
              + " is out of range; use a number above 1 and at "
              + "most 100, e.g. 1.25 (a server takes new sessions up to 1.25 × the mean)");
      balanceFactor = null;
    }
    MigrationConfig migration = null;
    if (s.has("migration")) {
      migration = readMigration(s.section("migration"));
      if (sessions != PoolConfig.SessionsMode.REPLICATED) {
        s.errorAtKey(
            "migration",
            "moving live sessions between servers needs "
                + "`sessions: replicated` on the pool (sessions is "
                + NameRules.configName(sessions)
                + "), or the moved users lose their sessions");
      }
    }
    boolean debugHeader = s.bool("debug-header", false);
    Duration window =
        s.duration(
            "first-request-window",
            sessions == PoolConfig.SessionsMode.REPLICATED
                ? Duration.ZERO
                : AffinityConfig.LOCAL_FIRST_REQUEST_WINDOW,
            Duration.ZERO);
    if (window.compareTo(MAX_FIRST_REQUEST_WINDOW) > 0) {
      s.error(
          "first-request-window",
          Durations.format(window)
              + " is too long; use 0 (off) up to "
              + Durations.format(MAX_FIRST_REQUEST_WINDOW)
              + ", e.g. 1s: unrelated users behind one address "
              + "would share a server for that long");
      window = AffinityConfig.LOCAL_FIRST_REQUEST_WINDOW;
    }
    s.finish();
    if (cookie == null && mode == Mode.COOKIE
        || header == null && mode == Mode.HEADER
        || appCookie == null && mode == Mode.APP_COOKIE
        || usesTable && table == null) {
      return null;
    }
    return new AffinityConfig(
        mode,
        onFailure,
        cookie,
        idle,
        absolute,
        refresh,
        keys,
        appCookie,
        sourceIp,
        header,
        table,
        balanceFactor,
        migration,
        debugHeader,
        window);
  }

  private static void checkLifetimes(
      YamlSection s, Duration idle, Duration absolute, Duration refresh) {
    if (idle.compareTo(absolute) > 0) {
      s.error(
          "idle-timeout",
          Durations.format(idle)
              + " is longer than absolute-timeout "
              + Durations.format(absolute)
              + "; use at most the absolute timeout");
    }
    if (refresh.compareTo(idle) >= 0) {
      s.error(
          "refresh-interval",
          Durations.format(refresh)
              + " is not shorter than idle-timeout "
              + Durations.format(idle)
              + "; an active user's token would expire, use e.g. 1m");
    }
  }

  private static AppCookieConfig readAppCookie(YamlSection s) {
    String name = s.text("name", "JSESSIONID");
    if (!NameRules.isHttpToken(name)) {
      s.error(
          "name",
          "'" + name + "' is not a cookie name; use letters, digits and " + "!#$%&'*+-.^_`|~");
      name = null;
    }
    String separator = s.text("route-separator", ".");
    if (separator.isEmpty() || separator.length() > 4 || !NameRules.isHttpToken(separator)) {
      s.error(
          "route-separator",
          "'"
              + separator
              + "' is not a route separator; use 1..4 "
              + "characters that may appear in a cookie value, e.g. '.'");
      separator = null;
    }
    boolean learn = s.bool("learn", true);
    s.finish();
    return name == null || separator == null ? null : new AppCookieConfig(name, separator, learn);
  }

  private static SourceIpConfig readSourceIp(YamlSection s) {
    SourceIpConfig c =
        new SourceIpConfig(
            s.integer("ipv4-prefix", 32, 1, 32),
            s.integer("ipv6-prefix", 128, 1, 128),
            s.choice("method", Method.class, Method.HASH));
    s.finish();
    return c;
  }

  private static TableConfig readTable(YamlSection s) {
    int size = s.integer("size", 100_000, 1, 100_000_000);
    Duration expire = s.duration("expire", Duration.ofMinutes(30), POSITIVE);
    TableConfig.Store store = s.choice("store", TableConfig.Store.class, TableConfig.Store.LOCAL);
    String uri = s.text("redis-uri", null);
    if (store == TableConfig.Store.LOCAL && uri != null) {
      s.errorAtKey("redis-uri", "applies only with store: redis");
      uri = null;
    } else if (store == TableConfig.Store.REDIS) {
      uri = uri == null ? "redis://127.0.0.1:6379" : uri;
      if (!OptionalLibrary.LETTUCE.present()) {
        s.error("store", OptionalLibrary.LETTUCE.missingFor("store: redis"));
        uri = null;
      } else if (!isRedisUri(uri)) {
        s.error(
            "redis-uri",
            "'"
                + uri
                + "' is not a Redis URI; use redis://host:port or "
                + "rediss://host:port, e.g. redis://127.0.0.1:6379");
        uri = null;
      }
    }
    s.finish();
    if (store == TableConfig.Store.REDIS && uri == null) {
      return null;
    }
    return new TableConfig(size, expire, store, uri);
  }

  private static boolean isRedisUri(String text) {
    try {
      URI uri = new URI(text);
      return ("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static MigrationConfig readMigration(YamlSection s) {
    MigrationConfig m =
        new MigrationConfig(
            s.duration("idle-after", Duration.ofMinutes(5), POSITIVE),
            s.integer("rate", 10, 1, 100_000));
    s.finish();
    return m;
  }
}
