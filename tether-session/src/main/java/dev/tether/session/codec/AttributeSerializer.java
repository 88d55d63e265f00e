package dev.tether.session.codec;

/**
 * Converts one attribute value to bytes and back, before compression and encryption. Thread-safe.
 * Implementations refuse values and bytes of types they were not told to accept, with a message
 * naming the type and how to allow it.
 */
public interface AttributeSerializer {

  /** The bytes of {@code value}; {@code value} is not {@code null}. */
  byte[] serialize(Object value);

  /** The value {@code bytes} stand for. */
  Object deserialize(byte[] bytes);
}
