package dev.tether.session.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.session.FuzzInput;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the attribute codec and the JSON serializer with Jazzer. One input is used two ways:
 *
 * <ul>
 *   <li>as stored bytes, decoded by a plain, a sealing and a small-limit codec: the result is a
 *       value (a plain JSON value or a registered type) or one of the codec's clear refusals
 *       ({@link IllegalArgumentException} for bytes that are not a stored value, {@link
 *       IllegalStateException} for a key that is not configured, {@link UncheckedIOException} for a
 *       payload that is not JSON), each with a message; never anything else;
 *   <li>as the description of a value (strings, whole and decimal numbers, booleans, lists, maps, a
 *       registered record, nested a few levels): it round-trips through every codec, compared as
 *       JSON compares (whole numbers by value), or, when it holds a non-finite double, is refused
 *       at write; sealed, it opens only under its own attribute name and with no byte changed.
 * </ul>
 *
 * <p>Seeds in {@code AttributeCodecFuzzTestInputs/attributes/} are stored values of every layout:
 * plain JSON, deflated, sealed (under {@link #KEY}), a registered type. In a normal build this runs
 * on them only; {@code ./mvnw -Pfuzz} fuzzes it.
 */
class AttributeCodecFuzzTest {

  /** A registered application type. */
  public record Cart(List<String> items, int total) {}

  /** The sealing key of the seeds: 32 bytes 0x01..0x20. */
  static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (i + 1);
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final EncryptionKeys KEYS = EncryptionKeys.ofRaw("k1", Map.of("k1", KEY));
  private static final AttributeCodec PLAIN =
      codec(new AttributeCodec.Options(1024, 1 << 20, null));
  private static final AttributeCodec SEALED = codec(new AttributeCodec.Options(16, 1 << 20, KEYS));
  private static final AttributeCodec SMALL = codec(new AttributeCodec.Options(0, 64, KEYS));

  private static AttributeCodec codec(AttributeCodec.Options options) {
    return new AttributeCodec(
        new JsonAttributeSerializer().allow("cart", Cart.class), options, RANDOM);
  }

  @FuzzTest
  void attributes(byte[] input) {
    for (AttributeCodec codec : List.of(PLAIN, SEALED, SMALL)) {
      decodesOrRefusesClearly(codec, input);
    }
    FuzzInput in = new FuzzInput(input);
    Object value = value(in, 0);
    for (AttributeCodec codec : List.of(PLAIN, SEALED)) {
      roundTrips(codec, value, in);
    }
  }

  private static void decodesOrRefusesClearly(AttributeCodec codec, byte[] stored) {
    Object value;
    try {
      value = codec.decode("attr", stored);
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      assertThat(e.getMessage()).as("message of %s", e).isNotBlank();
      return;
    }
    assertThat(isJsonValue(value)).as("decoded %s", value).isTrue();
  }

  private static void roundTrips(AttributeCodec codec, Object value, FuzzInput in) {
    if (!finite(value)) {
      assertThatThrownBy(() -> codec.encode("attr", value))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("finite");
      return;
    }
    byte[] stored = codec.encode("attr", value);
    assertThat(normal(codec.decode("attr", stored)))
        .as("round trip of %s", value)
        .isEqualTo(normal(value));
    if (codec == SEALED) {
      assertThat(AttributeCodec.keyIdOf(stored)).isEqualTo("k1");
      assertThatThrownBy(() -> codec.decode("other", stored))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("failed authentication");
      byte[] tampered = Arrays.copyOf(stored, stored.length);
      int at = in.nextInt(stored.length);
      int xor = in.nextByte();
      tampered[at] ^= (byte) (xor == 0 ? 1 : xor);
      assertThatThrownBy(() -> codec.decode("attr", tampered))
          .as("byte %d of %d xor %d", at, stored.length, xor)
          .isInstanceOfAny(
              IllegalArgumentException.class,
              IllegalStateException.class,
              UncheckedIOException.class);
      assertThatThrownBy(() -> codec.decode("attr", Arrays.copyOf(stored, at)))
          .as("truncated to %d of %d bytes", at, stored.length)
          .isInstanceOfAny(IllegalArgumentException.class, UncheckedIOException.class);
    }
  }

  /**
   * A value described by the input: a tag byte, then the value. Lists and maps nest 3 deep; the
   * registered record only stands alone (inside a plain list or map it would be refused, by
   * design).
   */
  static Object value(FuzzInput in, int depth) {
    int tag = in.nextByte() % (depth == 0 ? 9 : depth < 3 ? 8 : 6);
    return switch (tag) {
      case 0 -> in.nextString(40);
      case 1 -> in.nextInt();
      case 2 -> in.nextLong();
      case 3 -> Double.longBitsToDouble(in.nextLong());
      case 4 -> in.nextBoolean();
      case 5 -> in.nextCodeUnits(8);
      case 6 -> {
        List<Object> list = new ArrayList<>();
        for (int i = in.nextInt(5); i > 0; i--) {
          list.add(in.nextByte() % 7 == 0 ? null : value(in, depth + 1));
        }
        yield list;
      }
      case 7 -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = in.nextInt(5); i > 0; i--) {
          map.put(in.nextString(12), in.nextByte() % 7 == 0 ? null : value(in, depth + 1));
        }
        yield map;
      }
      default -> {
        List<String> items = new ArrayList<>();
        for (int i = in.nextInt(4); i > 0; i--) {
          items.add(in.nextString(12));
        }
        yield new Cart(items, in.nextInt());
      }
    };
  }

  private static boolean finite(Object value) {
    if (value instanceof Double d) {
      return Double.isFinite(d);
    }
    if (value instanceof List<?> l) {
      return l.stream().allMatch(AttributeCodecFuzzTest::finite);
    }
    if (value instanceof Map<?, ?> m) {
      return m.values().stream().allMatch(AttributeCodecFuzzTest::finite);
    }
    return true;
  }

  /** The value as JSON compares it: whole numbers as {@code Long}. */
  private static Object normal(Object value) {
    if (value instanceof Integer i) {
      return i.longValue();
    }
    if (value instanceof List<?> l) {
      return l.stream().map(v -> v == null ? "<null>" : normal(v)).toList();
    }
    if (value instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, v == null ? "<null>" : normal(v)));
      return out;
    }
    return value;
  }

  /** What a decode may return: a plain JSON value (null inside containers) or a registered type. */
  private static boolean isJsonValue(Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Number
        || value instanceof Cart) {
      return true;
    }
    if (value instanceof List<?> l) {
      return l.stream().allMatch(AttributeCodecFuzzTest::isJsonValue);
    }
    if (value instanceof Map<?, ?> m) {
      return m.keySet().stream().allMatch(k -> k instanceof String)
          && m.values().stream().allMatch(AttributeCodecFuzzTest::isJsonValue);
    }
    return false;
  }
}
