package dev.tether.session.dropin;

import static dev.tether.session.dropin.DropinValues.bad;
import static dev.tether.session.dropin.DropinValues.bool;
import static dev.tether.session.dropin.DropinValues.hostPrefix;
import static dev.tether.session.dropin.DropinValues.nearest;
import static dev.tether.session.dropin.DropinValues.sameSite;
import static dev.tether.session.dropin.DropinValues.value;
import static java.util.Objects.requireNonNull;

import dev.tether.session.servlet.SessionCookie;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the drop-in's configuration: a properties file named by the system property {@value
 * #CONFIG_PROPERTY}, else by the environment variable {@value #CONFIG_ENV}, else {@value
 * #CLASSPATH_FILE} at the class path root; then environment variables override single keys. A key
 * {@code k} is overridden by {@code TETHER_SESSION_} followed by {@code k} upper-cased with every
 * {@code .} and {@code -} turned into {@code _} ({@code store.uri} by {@code
 * TETHER_SESSION_STORE_URI}, {@code cookie.same-site} by {@code TETHER_SESSION_COOKIE_SAME_SITE}).
 * Store settings only use {@code -}, so {@code TETHER_SESSION_STORE_KEY_PREFIX} is {@code
 * store.key-prefix}, except that the cookie store's {@code TETHER_SESSION_STORE_REVOCATION_X} is
 * {@code store.revocation.x} (its revocation store's setting {@code x}) and {@code
 * TETHER_SESSION_STORE_CIRCUIT_X} is {@code store.circuit.x} (the circuit breaker's settings, e.g.
 * {@code TETHER_SESSION_STORE_CIRCUIT_COOL_DOWN} for {@code store.circuit.cool-down}). With no file
 * at all, the environment alone may configure the drop-in (it must then set {@code
 * TETHER_SESSION_STORE}); with neither, start-up fails: there is never a silent fall-back to the
 * container's own sessions.
 *
 * <p>Every failure is a {@link DropinConfigException} naming the file and line (or the environment
 * variable), the key, and what is allowed; an unknown key comes with the nearest known one.
 */
public final class DropinConfigLoader {

  /** The system property naming the configuration file. */
  public static final String CONFIG_PROPERTY = "tether.session.config";

  /** The environment variable naming the configuration file. */
  public static final String CONFIG_ENV = "TETHER_SESSION_CONFIG";

  /** The file looked for at the class path root when neither names one. */
  public static final String CLASSPATH_FILE = "tether-session.properties";

  /** The prefix of every overriding environment variable. */
  public static final String ENV_PREFIX = "TETHER_SESSION_";

  /** The keys besides {@code store.<setting>}. */
  public static final List<String> KEYS =
      List.of(
          "store",
          "cookie.name",
          "cookie.secure",
          "cookie.same-site",
          "cookie.host-prefix",
          "idle-timeout",
          "absolute-timeout",
          "near-cache");

  /** The circuit breaker's settings, known to every store that does I/O. */
  static final Set<String> CIRCUIT =
      Set.of(
          "circuit.enabled",
          "circuit.failures",
          "circuit.window",
          "circuit.ratio",
          "circuit.cool-down");

  /** The settings of the stores this project ships, for suggestions; the store validates them. */
  static final Map<String, Set<String>> STORE_SETTINGS =
      Map.of(
          "memory", Set.of(),
          "cookie",
              Set.of(
                  "keys",
                  "key-id",
                  "cookie-size",
                  "max-cookies",
                  "revocation-store",
                  "track-every-write"),
          "file", withCircuit("directory"),
          "redis",
              withCircuit(
                  "uri",
                  "mode",
                  "key-prefix",
                  "buckets",
                  "safety-margin",
                  "timeout",
                  "connect-timeout",
                  "password"),
          "jdbc",
              withCircuit(
                  "url",
                  "user",
                  "password",
                  "pool-size",
                  "table-prefix",
                  "replica-urls",
                  "replica-user",
                  "replica-password",
                  "replica-reads",
                  "connect-timeout",
                  "query-timeout"),
          "grid",
              withCircuit(
                  "initial-members",
                  "cluster-name",
                  "bind-address",
                  "bind-port",
                  "port-range",
                  "owners",
                  "encryption",
                  "encryption-key",
                  "join-timeout",
                  "expiry-grace",
                  "failure-timeout"));

  private static Set<String> withCircuit(String... settings) {
    Set<String> all = new java.util.HashSet<>(CIRCUIT);
    all.addAll(List.of(settings));
    return Set.copyOf(all);
  }

  /** The cookie store's settings of its revocation store: {@code store.revocation.<setting>}. */
  private static final String REVOCATION = "revocation.";

  private static final Pattern KEY = Pattern.compile("^((?:\\\\.|[^=:\\s\\\\])*)");
  private static final Pattern REDIS_URI = Pattern.compile("(rediss?://)(?:([^@/]*)@)?(.*)");

  private final Map<String, String> env;
  private final UnaryOperator<String> systemProperties;
  private final ClassLoader classLoader;

  /**
   * A loader over the given environment, system properties and class loader (injected, so that it
   * can be tested without touching the real ones).
   */
  public DropinConfigLoader(
      Map<String, String> env, UnaryOperator<String> systemProperties, ClassLoader classLoader) {
    this.env = requireNonNull(env, "env");
    this.systemProperties = requireNonNull(systemProperties, "systemProperties");
    this.classLoader = requireNonNull(classLoader, "classLoader");
  }

  /** A loader over this process's environment and system properties. */
  public static DropinConfigLoader system(ClassLoader classLoader) {
    return new DropinConfigLoader(System.getenv(), System::getProperty, classLoader);
  }

  /**
   * Reads and validates the configuration.
   *
   * @throws DropinConfigException naming the file, the key and what is allowed
   */
  public DropinConfig load() {
    Source source = source();
    Map<String, Entry> entries = new TreeMap<>();
    if (source.text != null) {
      parse(source, entries);
    }
    overrideFromEnv(entries);
    if (source.text == null && entries.isEmpty()) {
      throw new DropinConfigException(
          "tether-session: no configuration found: set the system property "
              + CONFIG_PROPERTY
              + " or the environment variable "
              + CONFIG_ENV
              + " to a properties file, or put "
              + CLASSPATH_FILE
              + " at the class path root (a container's lib/ directory or the"
              + " application's WEB-INF/classes), or set "
              + ENV_PREFIX
              + "STORE; the keys are "
              + KEYS
              + " and store.<setting>");
    }
    Entry store = entries.get("store");
    if (store == null || store.value.isBlank()) {
      throw new DropinConfigException(
          "tether-session: "
              + source.name
              + ": key 'store' is missing; allowed: "
              + String.join(", ", new TreeSet<>(STORE_SETTINGS.keySet()))
              + " (or another store whose module is on the class path)");
    }
    String storeName = store.value.strip();
    Set<String> known = STORE_SETTINGS.get(storeName);
    Map<String, String> settings = new LinkedHashMap<>();
    for (Entry e : entries.values()) {
      if (e.key.startsWith("store.")) {
        storeSetting(e, storeName, known, entries, settings);
      } else if (!KEYS.contains(e.key)) {
        throw unknown(e, known == null ? Set.of() : known);
      }
    }
    if (storeName.equals("redis") && settings.containsKey("password")) {
      redisPassword(entries.get("store.uri"), settings);
    }
    boolean secure = bool(entries.get("cookie.secure"), true);
    String name = value(entries.get("cookie.name"), "TSESSION");
    String sameSite = sameSite(entries.get("cookie.same-site"));
    hostPrefix(entries.get("cookie.host-prefix"), secure);
    SessionCookie cookie;
    try {
      cookie = new SessionCookie(name, secure, sameSite);
    } catch (IllegalArgumentException e) {
      throw bad(entries.get("cookie.name"), e.getMessage());
    }
    if (storeName.equals("cookie")) {
      cookieStore(entries.get("near-cache"), cookie, settings);
    }
    return new DropinConfig(
        source.name,
        storeName,
        settings,
        cookie,
        Optional.ofNullable(entries.get("idle-timeout")).map(DropinValues::duration),
        Optional.ofNullable(entries.get("absolute-timeout")).map(DropinValues::duration),
        Optional.ofNullable(entries.get("near-cache")).map(e -> bool(e, true)));
  }

  private void storeSetting(
      Entry e, String store, Set<String> known, Map<String, Entry> all, Map<String, String> out) {
    String setting = e.key.substring("store.".length());
    if (setting.endsWith("-env")) {
      String target = setting.substring(0, setting.length() - "-env".length());
      if (all.containsKey("store." + target)) {
        throw bad(e, "store." + target + " is set as well; set one of the two");
      }
      String var = e.value.strip();
      String secret = var.isEmpty() ? null : env.get(var);
      if (secret == null) {
        throw bad(e, "it names the environment variable '" + var + "', which is not set");
      }
      setting = target;
      out.put(target, secret);
    } else {
      out.put(setting, e.value.strip());
    }
    if (store.equals("cookie") && setting.equals("cookie-name")) {
      throw bad(
          e,
          "the cookie store seals the session into the session cookie, whose name is"
              + " cookie.name; allowed: set cookie.name instead");
    }
    if (store.equals("cookie") && setting.startsWith(REVOCATION)) {
      return; // the revocation store's own settings, checked by that store when it opens
    }
    if (known != null && !known.contains(setting)) {
      throw new DropinConfigException(
          "tether-session: "
              + e.where
              + ": unknown key '"
              + e.key
              + "' for store '"
              + store
              + "'"
              + nearest(setting, known, "store.")
              + "; allowed: "
              + (known.isEmpty()
                  ? "none (" + store + " takes no settings)"
                  : known.stream().sorted().map(k -> "store." + k).toList()));
    }
  }

  /**
   * The cookie store seals into the filter's session cookie, so it takes the cookie's name; the
   * filter must see the store itself, so there is no near cache in front of it.
   */
  private static void cookieStore(
      Entry nearCache, SessionCookie cookie, Map<String, String> settings) {
    if (nearCache != null && bool(nearCache, false)) {
      throw bad(
          nearCache,
          "the cookie store keeps each session in the browser, a near cache has"
              + " nothing to add; allowed with store=cookie: off");
    }
    settings.put("cookie-name", cookie.name());
  }

  /** The password goes into the Redis URI's user-info, where Lettuce reads it. */
  private static void redisPassword(Entry uriEntry, Map<String, String> settings) {
    String password = settings.remove("password");
    String uri = settings.get("uri");
    Matcher m = REDIS_URI.matcher(uri == null ? "" : uri);
    if (uriEntry == null || !m.matches() || uri.contains(",")) {
      throw new DropinConfigException(
          "tether-session: "
              + (uriEntry == null ? "key 'store.uri'" : uriEntry.where)
              + ": a Redis password needs store.uri to be one redis:// or rediss:// URI");
    }
    String user = m.group(2) == null ? "" : m.group(2).split(":", 2)[0];
    String encoded = URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20");
    settings.put("uri", m.group(1) + user + ":" + encoded + "@" + m.group(3));
  }

  private Source source() {
    String property = systemProperties.apply(CONFIG_PROPERTY);
    if (property != null && !property.isBlank()) {
      return file(Path.of(property.strip()), "the system property " + CONFIG_PROPERTY);
    }
    String variable = env.get(CONFIG_ENV);
    if (variable != null && !variable.isBlank()) {
      return file(Path.of(variable.strip()), "the environment variable " + CONFIG_ENV);
    }
    URL url = classLoader.getResource(CLASSPATH_FILE);
    if (url == null) {
      return new Source("the environment (no " + CLASSPATH_FILE + " on the class path)", null);
    }
    try (InputStream in = url.openStream()) {
      return new Source(url.toString(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new DropinConfigException("tether-session: cannot read " + url + ": " + e, e);
    }
  }

  private static Source file(Path path, String namedBy) {
    Path abs = path.toAbsolutePath();
    if (!Files.isRegularFile(abs)) {
      throw new DropinConfigException(
          "tether-session: "
              + abs
              + " (named by "
              + namedBy
              + ") does not exist or is not a"
              + " file; allowed: the path of a readable properties file");
    }
    try {
      return new Source(abs.toString(), Files.readString(abs, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new DropinConfigException(
          "tether-session: "
              + abs
              + " (named by "
              + namedBy
              + ") cannot be read as UTF-8"
              + " properties: "
              + e,
          e);
    }
  }

  private static void parse(Source source, Map<String, Entry> out) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(source.text));
    } catch (IOException | IllegalArgumentException e) {
      throw new DropinConfigException(
          "tether-session: " + source.name + " is not a valid properties file: " + e.getMessage(),
          e);
    }
    Map<String, Integer> lines = keyLines(source.text);
    for (String key : p.stringPropertyNames()) {
      Integer line = lines.get(key);
      String where = source.name + (line == null ? "" : ":" + line);
      out.put(key, new Entry(key, p.getProperty(key), where));
    }
  }

  /** The line of each key's first occurrence (continuation lines are not keys). */
  private static Map<String, Integer> keyLines(String text) {
    Map<String, Integer> lines = new LinkedHashMap<>();
    String[] all = text.split("\r\n|\r|\n", -1);
    boolean continued = false;
    for (int i = 0; i < all.length; i++) {
      String line = all[i].stripLeading();
      boolean wasContinued = continued;
      int backslashes = 0;
      for (int j = line.length() - 1; j >= 0 && line.charAt(j) == '\\'; j--) {
        backslashes++;
      }
      continued = backslashes % 2 == 1;
      if (wasContinued || line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
        continue;
      }
      Matcher m = KEY.matcher(line);
      if (m.find()) {
        String key = m.group(1).replaceAll("\\\\(.)", "$1");
        lines.putIfAbsent(key, i + 1);
      }
    }
    return lines;
  }

  private void overrideFromEnv(Map<String, Entry> entries) {
    Map<String, String> byEnv = new TreeMap<>();
    for (String k : KEYS) {
      byEnv.put(envName(k), k);
    }
    for (Map.Entry<String, String> v : new TreeMap<>(env).entrySet()) {
      String name = v.getKey();
      if (!name.startsWith(ENV_PREFIX) || name.equals(CONFIG_ENV)) {
        continue;
      }
      String where = "environment variable " + name;
      String key = byEnv.get(name);
      if (key == null && name.startsWith(ENV_PREFIX + "STORE_") && name.length() > 21) {
        key = "store." + name.substring(21).toLowerCase(Locale.ROOT).replace('_', '-');
        if (key.startsWith("store.revocation-")) {
          key = "store." + REVOCATION + key.substring("store.revocation-".length());
        }
        key = circuitKey(key);
      }
      if (key == null) {
        throw new DropinConfigException(
            "tether-session: "
                + where
                + " names no key"
                + nearest(name, byEnv.keySet(), "")
                + "; allowed: "
                + byEnv.keySet()
                + " and "
                + ENV_PREFIX
                + "STORE_<SETTING>");
      }
      entries.put(key, new Entry(key, v.getValue(), where));
    }
  }

  /**
   * {@code store.circuit-x} (from {@code TETHER_SESSION_STORE_CIRCUIT_X}) is the circuit breaker's
   * {@code store.circuit.x}, also for the cookie store's revocation store.
   */
  private static String circuitKey(String key) {
    for (String prefix : List.of("store.", "store." + REVOCATION)) {
      if (key.startsWith(prefix + "circuit-")) {
        return prefix + "circuit." + key.substring((prefix + "circuit-").length());
      }
    }
    return key;
  }

  /** The environment variable that overrides {@code key}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static DropinConfigException unknown(Entry e, Set<String> storeSettings) {
    Set<String> candidates = new TreeSet<>(KEYS);
    storeSettings.forEach(s -> candidates.add("store." + s));
    return new DropinConfigException(
        "tether-session: "
            + e.where
            + ": unknown key '"
            + e.key
            + "'"
            + nearest(e.key, candidates, "")
            + "; allowed: "
            + KEYS
            + " and store.<setting>");
  }

  /** Where the configuration text came from; {@code text} is null when there is no file. */
  private record Source(String name, String text) {}

  /** One key's value and where it was set. */
  record Entry(String key, String value, String where) {}
}
