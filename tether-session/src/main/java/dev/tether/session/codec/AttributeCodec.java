package dev.tether.session.codec;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Attribute value to stored bytes and back: serialise, deflate when the result is over a threshold
 * (and compression helps), then optionally seal with AES-GCM.
 *
 * <p>Stored layout (version 1):
 *
 * <pre>
 * byte    0x01 (format version)
 * byte    flags: bit 0 = deflated, bit 1 = encrypted
 * if encrypted:
 *   byte   key id length n (1..255), n bytes key id (UTF-8)
 *   12     bytes random nonce
 *   rest   AES-GCM ciphertext with 128-bit tag; additional data = the header above + the
 *          attribute name, so a sealed value cannot be moved to another attribute
 * else:
 *   rest   payload
 * </pre>
 *
 * Decompression is capped at {@link Options#maxValueBytes()} (a deflate bomb is refused). Random
 * 96-bit nonces stay safe for well over 2^32 values per key (NIST SP 800-38D §8.3); rotate keys
 * before that. Thread-safe.
 */
public final class AttributeCodec {

  private static final byte FORMAT = 1;
  private static final int DEFLATED = 1;
  private static final int ENCRYPTED = 2;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  /**
   * Codec settings.
   *
   * @param compressAbove values whose serialised form is longer than this many bytes are deflated
   * @param maxValueBytes the largest serialised value accepted, stored or read back
   * @param keys encryption keys, or {@code null} for no encryption
   */
  public record Options(int compressAbove, int maxValueBytes, EncryptionKeys keys) {
    public Options {
      if (compressAbove < 0) {
        throw new IllegalArgumentException("compressAbove " + compressAbove + " is negative");
      }
      if (maxValueBytes < 1) {
        throw new IllegalArgumentException("maxValueBytes " + maxValueBytes + " must be positive");
      }
    }

    /** Compress above 1 KiB, values up to 4 MiB, no encryption. */
    public static Options defaults() {
      return new Options(1024, 4 << 20, null);
    }

    /** These options with {@code k} for encryption. */
    public Options withKeys(EncryptionKeys k) {
      return new Options(compressAbove, maxValueBytes, requireNonNull(k, "keys"));
    }
  }

  private final AttributeSerializer serializer;
  private final Options options;
  private final SecureRandom random;

  /** A codec with {@code serializer} and {@code options}, drawing nonces from {@code random}. */
  public AttributeCodec(AttributeSerializer serializer, Options options, SecureRandom random) {
    this.serializer = requireNonNull(serializer, "serializer");
    this.options = requireNonNull(options, "options");
    this.random = requireNonNull(random, "random");
  }

  /** JSON, default options, no encryption. */
  public static AttributeCodec json() {
    return new AttributeCodec(
        new JsonAttributeSerializer(), Options.defaults(), new SecureRandom());
  }

  /** The serializer in use. */
  public AttributeSerializer serializer() {
    return serializer;
  }

  /** Stored bytes for attribute {@code name} holding {@code value}. */
  public byte[] encode(String name, Object value) {
    requireNonNull(name, "name");
    byte[] payload = serializer.serialize(value);
    if (payload.length > options.maxValueBytes()) {
      throw new IllegalArgumentException(
          "session attribute '"
              + name
              + "' is "
              + payload.length
              + " bytes serialised; the limit is "
              + options.maxValueBytes());
    }
    int flags = 0;
    if (payload.length > options.compressAbove()) {
      byte[] deflated = deflate(payload);
      if (deflated.length < payload.length) {
        payload = deflated;
        flags |= DEFLATED;
      }
    }
    EncryptionKeys keys = options.keys();
    if (keys == null) {
      byte[] out = new byte[2 + payload.length];
      out[0] = FORMAT;
      out[1] = (byte) flags;
      System.arraycopy(payload, 0, out, 2, payload.length);
      return out;
    }
    flags |= ENCRYPTED;
    byte[] keyId = keys.currentKeyId().getBytes(StandardCharsets.UTF_8);
    byte[] header = new byte[3 + keyId.length];
    header[0] = FORMAT;
    header[1] = (byte) flags;
    header[2] = (byte) keyId.length;
    System.arraycopy(keyId, 0, header, 3, keyId.length);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed =
        crypt(Cipher.ENCRYPT_MODE, keys.key(keys.currentKeyId()), nonce, header, name, payload);
    return ByteBuffer.allocate(header.length + NONCE_BYTES + sealed.length)
        .put(header)
        .put(nonce)
        .put(sealed)
        .array();
  }

  /** The value stored in {@code bytes} for attribute {@code name}. */
  public Object decode(String name, byte[] bytes) {
    requireNonNull(name, "name");
    requireNonNull(bytes, "bytes");
    if (bytes.length < 2 || bytes[0] != FORMAT) {
      throw new IllegalArgumentException(
          "stored value of session attribute '" + name + "' has an unknown format");
    }
    int flags = bytes[1];
    byte[] payload;
    if ((flags & ENCRYPTED) != 0) {
      payload = open(name, bytes);
    } else {
      payload = Arrays.copyOfRange(bytes, 2, bytes.length);
    }
    if ((flags & DEFLATED) != 0) {
      payload = inflate(name, payload);
    }
    return serializer.deserialize(payload);
  }

  /**
   * The key id that sealed {@code bytes}, or {@code null} when they are not encrypted; lets a
   * caller re-seal values still under a retired key.
   */
  public static String keyIdOf(byte[] bytes) {
    if (bytes.length < 3 || bytes[0] != FORMAT || (bytes[1] & ENCRYPTED) == 0) {
      return null;
    }
    int n = bytes[2] & 0xff;
    return new String(bytes, 3, Math.min(n, bytes.length - 3), StandardCharsets.UTF_8);
  }

  /**
   * Whether {@code bytes} are stored the way this codec would store them now as far as keys go:
   * sealed with the current key when encryption is on, unsealed when it is off. A session manager
   * re-writes values for which this is false, so a key can be retired after one absolute timeout.
   */
  public boolean isSealedWithCurrentKey(byte[] bytes) {
    String keyId = keyIdOf(bytes);
    EncryptionKeys keys = options.keys();
    return keys == null ? keyId == null : keys.currentKeyId().equals(keyId);
  }

  private byte[] open(String name, byte[] bytes) {
    EncryptionKeys keys = options.keys();
    if (keys == null) {
      throw new IllegalStateException(
          "session attribute '" + name + "' is encrypted but no encryption keys are configured");
    }
    // the key id length byte itself may be missing: a stored value cut after its flags
    int n = bytes.length > 2 ? bytes[2] & 0xff : 0;
    int headerLength = 3 + n;
    if (n == 0 || bytes.length < headerLength + NONCE_BYTES + TAG_BITS / 8) {
      throw new IllegalArgumentException(
          "stored value of session attribute '" + name + "' is truncated");
    }
    String keyId = new String(bytes, 3, n, StandardCharsets.UTF_8);
    SecretKey key = keys.key(keyId);
    if (key == null) {
      throw new IllegalStateException(
          "session attribute '"
              + name
              + "' is sealed with key id '"
              + keyId
              + "' which is not configured; known ids: "
              + keys.keys().keySet());
    }
    byte[] header = Arrays.copyOfRange(bytes, 0, headerLength);
    byte[] nonce = Arrays.copyOfRange(bytes, headerLength, headerLength + NONCE_BYTES);
    byte[] sealed = Arrays.copyOfRange(bytes, headerLength + NONCE_BYTES, bytes.length);
    return crypt(Cipher.DECRYPT_MODE, key, nonce, header, name, sealed);
  }

  private static byte[] crypt(
      int mode, SecretKey key, byte[] nonce, byte[] header, String name, byte[] input) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(header);
      cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(input);
    } catch (AEADBadTagException e) {
      throw new IllegalArgumentException(
          "stored value of session attribute '"
              + name
              + "' failed authentication (tampered, or sealed for another attribute)",
          e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  private static byte[] deflate(byte[] input) {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(input);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(input.length / 2 + 16);
      byte[] buf = new byte[8192];
      while (!deflater.finished()) {
        out.write(buf, 0, deflater.deflate(buf));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private byte[] inflate(String name, byte[] input) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(input);
      ByteArrayOutputStream out = new ByteArrayOutputStream(input.length * 2 + 16);
      byte[] buf = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(buf);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalArgumentException(
              "stored value of session attribute '" + name + "' is a truncated deflate stream");
        }
        out.write(buf, 0, n);
        if (out.size() > options.maxValueBytes()) {
          throw new IllegalArgumentException(
              "stored value of session attribute '"
                  + name
                  + "' inflates past the limit of "
                  + options.maxValueBytes()
                  + " bytes");
        }
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new IllegalArgumentException(
          "stored value of session attribute '" + name + "' is not a valid deflate stream", e);
    } finally {
      inflater.end();
    }
  }
}
