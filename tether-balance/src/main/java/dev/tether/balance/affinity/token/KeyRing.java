package dev.tether.balance.affinity.token;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.hash.KeyHash;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The affinity-token keys of one pool: the first key signs, every key verifies, so a new key is
 * rolled out by putting it first and the old one is dropped once no live token uses it (after the
 * absolute lifetime).
 *
 * <p>Each key is identified in a token by a one-byte tag derived from its id; two ids with the same
 * tag are rejected at construction, so verification never has to try several keys. {@link Mac}
 * objects are not thread-safe and costly to create, so each thread keeps its own, one per key.
 *
 * <pre>{@code
 * KeyRing ring = new KeyRing(List.of(new SigningKey("2026-11", secret)));
 * }</pre>
 */
public final class KeyRing {

  private final List<SigningKey> keys;
  private final int[] slotOfTag = new int[256];
  private final ThreadLocal<Mac[]> macs;

  /**
   * @param keys newest (signing) first; at least one
   * @throws IllegalArgumentException when empty, or when two key ids map to the same tag
   */
  public KeyRing(List<SigningKey> keys) {
    this.keys = List.copyOf(requireNonNull(keys, "keys"));
    if (this.keys.isEmpty()) {
      throw new IllegalArgumentException("an affinity key ring needs at least one key");
    }
    java.util.Arrays.fill(slotOfTag, -1);
    for (int i = 0; i < this.keys.size(); i++) {
      int tag = tag(this.keys.get(i).id());
      if (slotOfTag[tag] >= 0) {
        throw new IllegalArgumentException(
            "affinity key ids "
                + this.keys.get(slotOfTag[tag]).id()
                + " and "
                + this.keys.get(i).id()
                + " share the token tag "
                + tag
                + "; rename one of them");
      }
      slotOfTag[tag] = i;
    }
    this.macs = ThreadLocal.withInitial(() -> new Mac[this.keys.size()]);
  }

  /** A ring of one fresh random key, for a pool configured without keys (tokens die on restart). */
  public static KeyRing random(RandomGenerator random) {
    byte[] secret = new byte[SigningKey.MIN_SECRET_BYTES];
    random.nextBytes(secret);
    return new KeyRing(List.of(new SigningKey("generated", secret)));
  }

  /** The keys, signing key first. */
  public List<SigningKey> keys() {
    return keys;
  }

  /** The one-byte tag of key id {@code id}. */
  static int tag(String id) {
    return (int) (KeyHash.hash(id) & 0xFF);
  }

  /** The tag of the signing key. */
  int signingTag() {
    return tag(keys.get(0).id());
  }

  /** This thread's MAC for the key tagged {@code tag}, reset; {@code null} for an unknown tag. */
  Mac mac(int tag) {
    int slot = slotOfTag[tag & 0xFF];
    if (slot < 0) {
      return null;
    }
    Mac[] mine = macs.get();
    Mac m = mine[slot];
    if (m == null) {
      try {
        m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(keys.get(slot).secret(), "HmacSHA256"));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
      }
      mine[slot] = m;
    }
    return m;
  }
}
