package dev.tether.session.codec;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Java serialisation, for apps that opt in, behind an {@link ObjectInputFilter} allow-list: only
 * the listed classes (plus arrays and primitives, within depth and size limits) are ever
 * instantiated from stored bytes; anything else is rejected before its constructor or {@code
 * readObject} runs. Prefer {@link JsonAttributeSerializer}.
 *
 * <pre>{@code
 * new JavaAttributeSerializer(Set.of("com.shop.Cart", "java.util.ArrayList", "java.lang.Integer"));
 * }</pre>
 */
public final class JavaAttributeSerializer implements AttributeSerializer {

  private static final int MAX_DEPTH = 20;
  private static final long MAX_REFS = 10_000;
  private static final long MAX_BYTES = 1 << 20;

  private final Set<String> allowed;
  private final ObjectInputFilter filter;

  /**
   * A serializer accepting exactly the classes named in {@code allowedClassNames} (fully qualified,
   * e.g. {@code java.lang.String}); it may not be empty.
   */
  public JavaAttributeSerializer(Set<String> allowedClassNames) {
    requireNonNull(allowedClassNames, "allowedClassNames");
    if (allowedClassNames.isEmpty()) {
      throw new IllegalArgumentException(
          "the Java deserialisation allow-list is empty; name the classes to accept");
    }
    this.allowed = Set.copyOf(allowedClassNames);
    this.filter = this::check;
  }

  private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
    if (info.depth() > MAX_DEPTH
        || info.references() > MAX_REFS
        || info.streamBytes() > MAX_BYTES) {
      return ObjectInputFilter.Status.REJECTED;
    }
    Class<?> c = info.serialClass();
    if (c == null) {
      return ObjectInputFilter.Status.UNDECIDED;
    }
    while (c.isArray()) {
      c = c.getComponentType();
    }
    if (c.isPrimitive() || allowed.contains(c.getName())) {
      return ObjectInputFilter.Status.ALLOWED;
    }
    return ObjectInputFilter.Status.REJECTED;
  }

  @Override
  public byte[] serialize(Object value) {
    requireNonNull(value, "value");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
      oos.writeObject(value);
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException(
          "session attribute of type " + value.getClass().getName() + " is not Serializable", e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serialise session attribute of type " + value.getClass().getName(), e);
    }
    return out.toByteArray();
  }

  @Override
  public Object deserialize(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      in.setObjectInputFilter(filter);
      return in.readObject();
    } catch (InvalidClassException e) {
      throw new IllegalArgumentException(
          "stored session attribute holds a class outside the allow-list " + allowed, e);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("stored session attribute names an unknown class", e);
    } catch (IOException e) {
      throw new UncheckedIOException("stored session attribute is not valid Java serial data", e);
    }
  }
}
