package dev.tether.session;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * New session ids: 256 bits from {@link SecureRandom}, URL-safe base64 without padding (43
 * characters), nothing else in them (OWASP R1, R2). Thread-safe.
 */
public final class SessionIdGenerator {

  /** Random bytes per id. */
  public static final int ID_BYTES = 32;

  private final SecureRandom random;

  /** A generator drawing from {@code random}. */
  public SessionIdGenerator(SecureRandom random) {
    this.random = requireNonNull(random, "random");
  }

  /** A generator over a new default {@link SecureRandom}. */
  public SessionIdGenerator() {
    this(new SecureRandom());
  }

  /** A fresh id. */
  public String next() {
    byte[] b = new byte[ID_BYTES];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
