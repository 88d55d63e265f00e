package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * Affinity on a request header or a verified JWT claim ({@code affinity.header}).
 *
 * @param name the header ({@code name}; default Authorization when {@code jwt} is set, else
 *     required)
 * @param jwt when set, the header carries a bearer JWT and the key is a verified claim
 * @param method {@code method: hash | table}, default hash
 */
public record HeaderConfig(String name, JwtConfig jwt, AffinityConfig.Method method) {

  public HeaderConfig {
    requireNonNull(name, "name");
    requireNonNull(method, "method");
  }
}
