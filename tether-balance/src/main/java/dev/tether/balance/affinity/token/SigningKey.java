package dev.tether.balance.affinity.token;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * One HMAC-SHA-256 key of a {@link KeyRing}: an id (carried in tokens as a one-byte tag) and a
 * secret of at least {@value #MIN_SECRET_BYTES} bytes. The secret is copied in and out and never
 * printed.
 */
public record SigningKey(String id, byte[] secret) {

  /** The shortest accepted secret: the HMAC-SHA-256 output size. */
  public static final int MIN_SECRET_BYTES = 32;

  public SigningKey {
    requireNonNull(id, "id");
    requireNonNull(secret, "secret");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "key "
              + id
              + " has a "
              + secret.length
              + "-byte secret; at least "
              + MIN_SECRET_BYTES
              + " bytes are required");
    }
    secret = secret.clone();
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SigningKey k && id.equals(k.id) && MessageDigest.isEqual(secret, k.secret);
  }

  @Override
  public int hashCode() {
    return 31 * id.hashCode() + Arrays.hashCode(secret);
  }

  @Override
  public String toString() {
    return "SigningKey[id=" + id + ", secret=***]";
  }
}
