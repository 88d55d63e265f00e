package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.AffinityConfig.Method;
import dev.tether.proxy.config.HeaderConfig;
import dev.tether.proxy.config.JwtConfig;
import dev.tether.proxy.config.NameRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads affinity mode header, including JWT verification settings. The accepted algorithms must be
 * listed (no default), so a token cannot choose a weaker algorithm than intended (RFC 8725 §3.1);
 * HMAC secrets must be at least as long as the hash output (RFC 7518 §3.2).
 */
final class HeaderAffinityParser {

  /** Accepted JWS algorithms and, for HMAC ones, the minimum secret length in bytes. */
  private static final Map<String, Integer> ALGORITHMS =
      Map.ofEntries(
          Map.entry("HS256", 32),
          Map.entry("HS384", 48),
          Map.entry("HS512", 64),
          Map.entry("RS256", 0),
          Map.entry("RS384", 0),
          Map.entry("RS512", 0),
          Map.entry("PS256", 0),
          Map.entry("PS384", 0),
          Map.entry("PS512", 0),
          Map.entry("ES256", 0),
          Map.entry("ES384", 0),
          Map.entry("ES512", 0));

  private static final String ALLOWED =
      "HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or ES512";

  private final SecretResolver secrets;
  private final Path baseDir;

  HeaderAffinityParser(SecretResolver secrets, Path baseDir) {
    this.secrets = secrets;
    this.baseDir = baseDir;
  }

  /** The header settings, or null when they cannot be built (problems reported). */
  HeaderConfig read(YamlSection s) {
    boolean hasJwt = s.has("jwt");
    String name = s.text("name", hasJwt ? "Authorization" : null);
    if (name == null) {
      s.missing("name", "the request header that identifies the user, e.g. name: X-User");
    } else if (!NameRules.isHttpToken(name)) {
      s.error(
          "name",
          "'" + name + "' is not a header name; use letters, digits and " + "!#$%&'*+-.^_`|~");
      name = null;
    }
    JwtConfig jwt = hasJwt ? readJwt(s.section("jwt")) : null;
    if (jwt != null && !OptionalLibrary.NIMBUS.present()) {
      s.errorAtKey("jwt", OptionalLibrary.NIMBUS.missingFor("verifying a JWT"));
      jwt = null;
    }
    Method method = s.choice("method", Method.class, Method.HASH);
    s.finish();
    if (name == null || (hasJwt && jwt == null)) {
      return null;
    }
    return new HeaderConfig(name, jwt, method);
  }

  private JwtConfig readJwt(YamlSection s) {
    String claim = s.text("claim", "sub");
    if (claim.isEmpty()) {
      s.error("claim", "is empty; name the claim that identifies the user, e.g. sub");
    }
    List<String> algorithms = readAlgorithms(s);
    String secretText = secrets.read(s, "secret", "secret-env");
    Path jwks = readJwksFile(s);
    s.finish();
    int hmacMin = algorithms.stream().mapToInt(a -> ALGORITHMS.getOrDefault(a, 0)).max().orElse(0);
    boolean hmac = hmacMin > 0;
    boolean publicKey = algorithms.stream().anyMatch(a -> ALGORITHMS.getOrDefault(a, 0) == 0);
    byte[] secret = secretText == null ? null : secretText.getBytes(StandardCharsets.UTF_8);
    boolean secretGiven = s.has("secret") || s.has("secret-env");
    String secretKey = s.has("secret") ? "secret" : "secret-env";
    if (hmac && !secretGiven) {
      s.missing("secret", "HS algorithms need secret: <text> or secret-env: <variable name>");
    } else if (!hmac && secretGiven && !algorithms.isEmpty()) {
      s.errorAtKey(
          secretKey, "is used only by HS256, HS384 and HS512, which algorithms does " + "not list");
    } else if (secret != null && secret.length < hmacMin) {
      s.error(
          secretKey,
          "the secret has "
              + secret.length
              + " bytes; the listed HS algorithms "
              + "need at least "
              + hmacMin);
    }
    if (publicKey && !s.has("jwks-file")) {
      s.missing(
          "jwks-file",
          "RS, PS and ES algorithms need the public keys, e.g. " + "jwks-file: keys.json");
    } else if (!publicKey && s.has("jwks-file") && !algorithms.isEmpty()) {
      s.errorAtKey(
          "jwks-file",
          "is used only by RS, PS and ES algorithms, which algorithms does " + "not list");
    }
    if (algorithms.isEmpty() || claim.isEmpty()) {
      return null;
    }
    return new JwtConfig(claim, algorithms, secret, jwks);
  }

  private static List<String> readAlgorithms(YamlSection s) {
    List<String> out = new ArrayList<>();
    if (!s.has("algorithms")) {
      s.missing(
          "algorithms",
          "list the accepted algorithms, e.g. algorithms: [HS256]; " + "allowed: " + ALLOWED);
      return out;
    }
    List<Node> items = s.list("algorithms");
    for (int i = 0; i < items.size(); i++) {
      String path = s.pathOf("algorithms") + "[" + i + "]";
      String a = YamlSection.scalar(items.get(i), path, s.problems());
      if (a == null) {
        continue;
      }
      if (!ALGORITHMS.containsKey(a)) {
        s.problems()
            .error(items.get(i), path, "'" + a + "' is not a supported algorithm; use " + ALLOWED);
      } else if (out.contains(a)) {
        s.problems().error(items.get(i), path, "'" + a + "' is listed twice");
      } else {
        out.add(a);
      }
    }
    if (out.isEmpty() && items.isEmpty() && s.value("algorithms") != null) {
      s.error("algorithms", "needs at least one algorithm; allowed: " + ALLOWED);
    }
    return out;
  }

  private Path readJwksFile(YamlSection s) {
    String text = s.text("jwks-file", null);
    if (text == null) {
      return null;
    }
    Path file;
    try {
      file = baseDir.resolve(text).normalize();
    } catch (InvalidPathException e) {
      s.error("jwks-file", "'" + text + "' is not a file path (" + e.getReason() + ")");
      return null;
    }
    String problem =
        ConfigFiles.problem(
            file.toAbsolutePath(),
            ConfigFiles.MAX_REFERENCED_FILE,
            "a JWKS file path, relative to the configuration file");
    if (problem != null) {
      s.error("jwks-file", problem);
      return null;
    }
    return file;
  }
}
