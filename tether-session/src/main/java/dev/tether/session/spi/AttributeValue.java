package dev.tether.session.spi;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * One stored attribute: its value as opaque, already encoded bytes (the codec above the store
 * decides JSON, compression and encryption; stores never look inside) and the session version at
 * which it was last written, which is how a store detects a per-attribute conflict.
 *
 * <p>Equality compares the bytes' contents. {@link #toString()} never prints the value (it may hold
 * secrets).
 *
 * @param bytes the encoded value; copied on the way in and out
 * @param version the session version that last wrote this attribute, at least 1
 */
public record AttributeValue(byte[] bytes, long version) {

  public AttributeValue {
    requireNonNull(bytes, "bytes");
    if (version < 1) {
      throw new IllegalArgumentException("attribute version " + version + " must be at least 1");
    }
    bytes = bytes.clone();
  }

  /** A copy of the encoded value. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The value's length in bytes, without copying it. */
  public int length() {
    return bytes.length;
  }

  /** Whether the encoded value equals {@code other} byte for byte, without copying. */
  public boolean sameBytes(byte[] other) {
    return Arrays.equals(bytes, other);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AttributeValue a && a.version == version && Arrays.equals(a.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(bytes) + Long.hashCode(version);
  }

  @Override
  public String toString() {
    return "AttributeValue[" + bytes.length + " bytes, version " + version + "]";
  }
}
