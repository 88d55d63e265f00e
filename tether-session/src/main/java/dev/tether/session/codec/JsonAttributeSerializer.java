package dev.tether.session.codec;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * JSON with Jackson, the default. Plain JSON values (strings, numbers, booleans, lists and maps of
 * them) need no registration and come back as {@code String}, {@code Integer}/{@code Long}/{@code
 * Double}, {@code Boolean}, {@code List} and {@code Map}. Any other class must be registered with
 * {@link #allow}; it is stored as {@code {"@t": alias, "v": value}} and only registered aliases are
 * ever turned back into objects, so stored bytes can never name a class to instantiate (no
 * polymorphic-typing gadgets).
 *
 * <pre>{@code
 * JsonAttributeSerializer json = new JsonAttributeSerializer(new ObjectMapper())
 *     .allow("cart", Cart.class);
 * }</pre>
 */
public final class JsonAttributeSerializer implements AttributeSerializer {

  private static final String TYPE = "@t";
  private static final String VALUE = "v";

  private final ObjectMapper mapper;
  private final Map<String, Class<?>> byAlias = new LinkedHashMap<>();
  private final Map<Class<?>, String> byClass = new LinkedHashMap<>();

  /** A serializer using {@code mapper} for registered classes. */
  public JsonAttributeSerializer(ObjectMapper mapper) {
    this.mapper = requireNonNull(mapper, "mapper");
  }

  /** A serializer with a default {@link ObjectMapper}. */
  public JsonAttributeSerializer() {
    this(new ObjectMapper());
  }

  /**
   * Registers {@code type} under {@code alias} (stored in place of the class name, so classes can
   * be renamed). Call during set-up, before use.
   */
  public synchronized JsonAttributeSerializer allow(String alias, Class<?> type) {
    requireNonNull(alias, "alias");
    requireNonNull(type, "type");
    if (byAlias.containsKey(alias)) {
      throw new IllegalArgumentException("JSON alias '" + alias + "' is already registered");
    }
    byAlias.put(alias, type);
    byClass.put(type, alias);
    return this;
  }

  /** The registered aliases. */
  public synchronized Set<String> aliases() {
    return Set.copyOf(byAlias.keySet());
  }

  @Override
  public byte[] serialize(Object value) {
    requireNonNull(value, "value");
    try {
      if (isPlain(value)) {
        return mapper.writeValueAsBytes(value);
      }
      String alias;
      synchronized (this) {
        alias = byClass.get(value.getClass());
      }
      if (alias == null) {
        throw new IllegalArgumentException(
            "session attribute of type "
                + value.getClass().getName()
                + " is not allowed; register it with JsonAttributeSerializer.allow(alias, type)"
                + " or store plain JSON values (String, Number, Boolean, List, Map)");
      }
      ObjectNode node = mapper.createObjectNode();
      node.put(TYPE, alias);
      node.set(VALUE, mapper.valueToTree(value));
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot write session attribute of type " + value.getClass().getName() + " as JSON", e);
    }
  }

  @Override
  public Object deserialize(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    try {
      JsonNode node = mapper.readTree(bytes);
      if (node != null && node.isObject() && node.has(TYPE) && node.size() == 2) {
        String alias = node.get(TYPE).asText();
        Class<?> type;
        synchronized (this) {
          type = byAlias.get(alias);
        }
        if (type == null) {
          throw new IllegalArgumentException(
              "stored session attribute names type alias '"
                  + alias
                  + "' which is not registered; allowed: "
                  + aliases());
        }
        return mapper.treeToValue(node.get(VALUE), type);
      }
      return mapper.treeToValue(node, Object.class);
    } catch (IOException e) {
      throw new UncheckedIOException("stored session attribute is not valid JSON", e);
    }
  }

  private static boolean isPlain(Object value) {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value instanceof String
          || value instanceof Integer
          || value instanceof Long
          || value instanceof Double
          || value instanceof Boolean;
    }
    if (value instanceof Collection<?> c) {
      return c.stream().allMatch(v -> v == null || isPlain(v));
    }
    if (value instanceof Map<?, ?> m) {
      return m.keySet().stream().allMatch(k -> k instanceof String)
          && m.values().stream().allMatch(v -> v == null || isPlain(v));
    }
    return false;
  }
}
