package dev.tether.proxy.websocket;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Random;

/**
 * Connection ids of managed WebSockets: 256 random bits, URL-safe Base64 without padding (43
 * characters).
 */
final class ConnectionIds {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private ConnectionIds() {}

  /** A new id from the process's {@link SecureRandom}. */
  static String next() {
    return next(RANDOM);
  }

  /** A new id from {@code random} (tests pass a seeded one). */
  static String next(Random random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return ENCODER.encodeToString(b);
  }
}
