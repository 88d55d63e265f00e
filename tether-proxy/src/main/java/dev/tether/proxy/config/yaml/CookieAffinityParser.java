package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.CookieConfig;
import dev.tether.proxy.config.HostNames;
import dev.tether.proxy.config.KeyConfig;
import dev.tether.proxy.config.NameRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the parts of affinity mode cookie: the cookie's attributes and the signing keys. The
 * attribute rules follow what browsers enforce (RFC 6265bis): {@code SameSite=None} needs {@code
 * Secure}, and a {@code __Host-} cookie needs {@code Secure}, {@code Path=/} and no {@code Domain}.
 */
final class CookieAffinityParser {

  private final SecretResolver secrets;

  /** {@code secure}'s default: true when the listener terminates TLS. */
  boolean secureDefault;

  CookieAffinityParser(SecretResolver secrets) {
    this.secrets = secrets;
  }

  /** The cookie settings, or null when they cannot be built (problems reported). */
  CookieConfig readCookie(YamlSection s) {
    String name = s.text("name", "TETHER");
    if (!NameRules.isHttpToken(name)) {
      s.error(
          "name",
          "'" + name + "' is not a cookie name; use letters, digits and " + "!#$%&'*+-.^_`|~");
      name = null;
    } else if (name.startsWith("__Host-") || name.startsWith("__Secure-")) {
      s.error(
          "name",
          "leave the prefix out of the name; set host-prefix: true (and secure: true) "
              + "to send it as __Host-"
              + name.substring(name.indexOf('-') + 1));
      name = null;
    }
    String path = s.text("path", "/");
    if (!NameRules.isPath(path)) {
      s.error(
          "path",
          "'"
              + path
              + "' is not a cookie path; start with / and use no spaces, "
              + "'?', '#' or ';'");
    }
    String domain = s.text("domain", null);
    if (domain != null) {
      domain = domain.toLowerCase(Locale.ROOT);
      String bare = domain.startsWith(".") ? domain.substring(1) : domain;
      if (!HostNames.isValid(bare)) {
        s.error(
            "domain",
            "'"
                + domain
                + "' is not a domain; use a host name such as "
                + "example.com, or leave it out for a host-only cookie");
      }
    }
    Duration maxAge = s.duration("max-age", null, Duration.ofSeconds(1));
    boolean secure = s.bool("secure", secureDefault);
    boolean httpOnly = s.bool("http-only", true);
    CookieConfig.SameSite sameSite =
        s.choice("same-site", CookieConfig.SameSite.class, CookieConfig.SameSite.LAX);
    boolean hostPrefix = s.bool("host-prefix", false);
    if (sameSite == CookieConfig.SameSite.NONE && !secure) {
      s.error(
          "same-site",
          "same-site: none requires secure: true; browsers drop such a cookie " + "otherwise");
    }
    if (hostPrefix) {
      List<String> missing = new ArrayList<>();
      if (!secure) {
        missing.add("secure: true");
      }
      if (!path.equals("/")) {
        missing.add("path: /");
      }
      if (domain != null) {
        missing.add("no domain");
      }
      if (!missing.isEmpty()) {
        s.error("host-prefix", "a __Host- cookie requires " + String.join(", ", missing));
      }
    }
    s.finish();
    if (name == null) {
      return null;
    }
    return new CookieConfig(name, path, domain, maxAge, secure, httpOnly, sameSite, hostPrefix);
  }

  /** The signing keys, newest first; warns when there are none. */
  List<KeyConfig> readKeys(YamlSection affinity) {
    List<KeyConfig> keys = new ArrayList<>();
    if (!affinity.has("keys")) {
      affinity
          .problems()
          .warning(
              affinity.node(),
              affinity.pathOf("keys"),
              "no signing keys; a "
                  + "random key is generated at start, so affinity cookies won't survive a restart or be "
                  + "shared between Tether instances; add e.g. keys: [ { id: k1, secret-env: TETHER_KEY_K1 } ]");
      return keys;
    }
    List<Node> items = affinity.list("keys");
    Map<String, Node> ids = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      YamlSection s =
          YamlSection.of(
              items.get(i), affinity.pathOf("keys") + "[" + i + "]", affinity.problems());
      KeyConfig key = readKey(s);
      s.finish();
      String id = s.text("id", null);
      Node first = id == null ? null : ids.putIfAbsent(id, s.value("id"));
      if (first != null) {
        s.error(
            "id",
            "key id '"
                + id
                + "' is already used at line "
                + (first.getStartMark().getLine() + 1)
                + "; each key needs its own id");
      } else if (key != null) {
        keys.add(key);
      }
    }
    return keys;
  }

  private KeyConfig readKey(YamlSection s) {
    String id = s.text("id", null);
    if (id == null) {
      s.missing("id", "a short id carried in each cookie, e.g. id: k1");
    } else if (!NameRules.isSimpleName(id) || id.length() > 16) {
      s.error(
          "id",
          "'" + id + "' is not a key id; use letters, digits, '.', '_' and '-' " + "(at most 16)");
      id = null;
    }
    String text = secrets.read(s, "secret", "secret-env");
    if (text == null && !s.has("secret") && !s.has("secret-env")) {
      s.missing(
          "secret",
          "give the key as secret: <base64> or secret-env: <variable name>, "
              + "e.g. from `openssl rand -base64 32`");
    }
    byte[] secret = text == null ? null : decode(s, text);
    return id == null || secret == null ? null : new KeyConfig(id, secret);
  }

  private static byte[] decode(YamlSection s, String text) {
    String key = s.has("secret") ? "secret" : "secret-env";
    byte[] bytes;
    try {
      bytes =
          text.indexOf('-') >= 0 || text.indexOf('_') >= 0
              ? Base64.getUrlDecoder().decode(text.trim())
              : Base64.getDecoder().decode(text.trim());
    } catch (IllegalArgumentException e) {
      s.error(
          key,
          "the secret is not base64 ("
              + e.getMessage()
              + "); use e.g. the output of "
              + "`openssl rand -base64 32`");
      return null;
    }
    if (bytes.length < KeyConfig.MIN_SECRET_BYTES) {
      s.error(
          key,
          "the secret decodes to "
              + bytes.length
              + " bytes; use at least "
              + KeyConfig.MIN_SECRET_BYTES
              + " random bytes, e.g. `openssl rand -base64 32`");
      return null;
    }
    return bytes;
  }
}
