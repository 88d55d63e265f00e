package dev.tether.proxy.config.yaml;

import java.util.function.Function;

/**
 * Reads a secret given either inline ({@code secret: ...}) or by environment variable name ({@code
 * secret-env: NAME}), through an injected environment so tests need no real variables.
 */
final class SecretResolver {

  private final Function<String, String> env;

  SecretResolver(Function<String, String> env) {
    this.env = env;
  }

  /**
   * The secret's text, or null when neither key is set or something is wrong (reported).
   *
   * @param inlineKey e.g. {@code secret}
   * @param envKey e.g. {@code secret-env}
   */
  String read(YamlSection s, String inlineKey, String envKey) {
    String inline = s.text(inlineKey, null);
    String name = s.text(envKey, null);
    if (inline != null && name != null) {
      s.errorAtKey(envKey, "set either `" + inlineKey + "` or `" + envKey + "`, not both");
      return null;
    }
    if (inline != null) {
      if (inline.isEmpty()) {
        s.error(inlineKey, "is empty");
        return null;
      }
      return inline;
    }
    if (name == null) {
      return null;
    }
    if (name.isEmpty()) {
      s.error(envKey, "is empty; give the name of an environment variable");
      return null;
    }
    String value = env.apply(name);
    if (value == null) {
      s.error(envKey, "environment variable " + name + " is not set");
      return null;
    }
    if (value.isEmpty()) {
      s.error(envKey, "environment variable " + name + " is empty");
      return null;
    }
    return value;
  }
}
