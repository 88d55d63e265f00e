package dev.tether.session.codec;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES keys for encryption at rest, by key id. New values are sealed with {@code currentKeyId}; the
 * other keys still open values sealed before a rotation. To rotate: add a new key, make it current,
 * and drop the old one once every session sealed with it has expired (at most the absolute timeout
 * later).
 *
 * <pre>{@code
 * EncryptionKeys keys = EncryptionKeys.of("k2", Map.of("k1", oldKey, "k2", newKey));
 * }</pre>
 *
 * @param currentKeyId the id that seals new values; 1..255 bytes of UTF-8
 * @param keys key id to AES key (16, 24 or 32 bytes)
 */
public record EncryptionKeys(String currentKeyId, Map<String, SecretKey> keys) {

  public EncryptionKeys {
    requireNonNull(currentKeyId, "currentKeyId");
    keys = Map.copyOf(requireNonNull(keys, "keys"));
    for (Map.Entry<String, SecretKey> e : keys.entrySet()) {
      int idLength = e.getKey().getBytes(StandardCharsets.UTF_8).length;
      if (idLength < 1 || idLength > 255) {
        throw new IllegalArgumentException(
            "key id '" + e.getKey() + "' must be 1..255 bytes of UTF-8");
      }
      int len = e.getValue().getEncoded().length;
      if (!"AES".equalsIgnoreCase(e.getValue().getAlgorithm())
          || (len != 16 && len != 24 && len != 32)) {
        throw new IllegalArgumentException(
            "key '" + e.getKey() + "' must be an AES key of 16, 24 or 32 bytes");
      }
    }
    if (!keys.containsKey(currentKeyId)) {
      throw new IllegalArgumentException(
          "current key id '" + currentKeyId + "' is not among the keys " + keys.keySet());
    }
  }

  /** Keys from raw bytes, key id to 16/24/32 bytes. */
  public static EncryptionKeys ofRaw(String currentKeyId, Map<String, byte[]> raw) {
    Map<String, SecretKey> keys = new java.util.HashMap<>();
    raw.forEach((id, bytes) -> keys.put(id, new SecretKeySpec(bytes, "AES")));
    return new EncryptionKeys(currentKeyId, keys);
  }

  /** The key for {@code keyId}, or {@code null}. */
  public SecretKey key(String keyId) {
    return keys.get(keyId);
  }

  @Override
  public String toString() {
    return "EncryptionKeys[current " + currentKeyId + ", ids " + keys.keySet() + "]";
  }
}
