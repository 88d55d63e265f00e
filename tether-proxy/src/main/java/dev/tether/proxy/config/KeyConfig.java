package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * One affinity-cookie signing key ({@code affinity.keys[i]}).
 *
 * @param id the key id carried in tokens, unique in the pool
 * @param secret at least 32 bytes (base64 in {@code secret} or in the env var named by {@code
 *     secret-env}); copied in and out
 */
public record KeyConfig(String id, byte[] secret) {

  /** The smallest accepted secret, in bytes (HMAC-SHA256 key strength). */
  public static final int MIN_SECRET_BYTES = 32;

  public KeyConfig {
    requireNonNull(id, "id");
    secret = requireNonNull(secret, "secret").clone();
  }

  /** A copy of the secret. */
  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyConfig k && id.equals(k.id) && MessageDigest.isEqual(secret, k.secret);
  }

  @Override
  public int hashCode() {
    return 31 * id.hashCode() + Arrays.hashCode(secret);
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "KeyConfig[id=" + id + ", secret=***(" + secret.length + " bytes)]";
  }
}
