package dev.tether.session;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * What logs and events show instead of a session id (OWASP R26): the first 16 hex digits of SHA-256
 * over a per-process random salt and the id. Stable within one process, so one session's log lines
 * can be correlated, useless for replaying the session. Thread-safe.
 */
public final class SessionIdDigest {

  private final byte[] salt;

  /** A digest with a 16-byte salt from {@code random}. */
  public SessionIdDigest(SecureRandom random) {
    requireNonNull(random, "random");
    this.salt = new byte[16];
    random.nextBytes(salt);
  }

  /** The log-safe digest of {@code id}; {@code "-"} for {@code null}. */
  public String of(String id) {
    if (id == null) {
      return "-";
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(salt);
      byte[] d = sha.digest(id.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
