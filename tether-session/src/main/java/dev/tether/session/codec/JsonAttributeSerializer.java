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
 * polymorphic-typing gadgets). A plain map that has an {@code "@t"} key itself is stored in the
 * same envelope under the empty alias, so it comes back as the map it was.
 *
 * <pre>{@code
 * JsonAttributeSerializer json = new JsonAttributeSerializer(new ObjectMapper())
 *     .allow("cart", Cart.class);
 * }</pre>
 */
public final class JsonAttributeSerializer implements AttributeSerializer {

  private static final String TYPE = "@t";
  private static final String VALUE = "v";

  /**
   * The alias of a plain map that has an {@code "@t"} key of its own: written in the envelope so
   * that it cannot be read as one (it would come back as a registered type, or be refused).
   */
  private static final String PLAIN = "";

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
    if (alias.isEmpty()) {
      throw new IllegalArgumentException("a JSON alias must not be empty");
    }
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
        requireFinite(value, value);
        if (value instanceof Map<?, ?> m && m.containsKey(TYPE)) {
          ObjectNode node = mapper.createObjectNode();
          node.put(TYPE, PLAIN);
          node.set(VALUE, mapper.valueToTree(value));
          return mapper.writeValueAsBytes(node);
        }
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
      JsonNode tree = mapper.valueToTree(value);
      requireFinite(tree, value);
      ObjectNode node = mapper.createObjectNode();
      node.put(TYPE, alias);
      node.set(VALUE, tree);
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
      if (node != null
          && node.isObject()
          && node.has(TYPE)
          && node.has(VALUE)
          && node.size() == 2) {
        String alias = node.get(TYPE).asText();
        if (alias.equals(PLAIN)) {
          return mapper.treeToValue(node.get(VALUE), Object.class);
        }
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

  /**
   * Refuses NaN and the infinities anywhere in a plain value or a registered type's tree. JSON has
   * no such numbers; Jackson would write them as the strings {@code "NaN"} or {@code "Infinity"},
   * so the value would come back as a {@code String}, not the {@code Double} that was stored.
   */
  private static void requireFinite(Object part, Object value) {
    double d;
    if (part instanceof Double x) {
      d = x;
    } else if (part instanceof Float x) {
      d = x;
    } else if (part instanceof JsonNode n && n.isFloatingPointNumber()) {
      d = n.doubleValue();
    } else {
      if (part instanceof Collection<?> c) {
        c.forEach(v -> requireFinite(v, value));
      } else if (part instanceof Map<?, ?> m) {
        m.values().forEach(v -> requireFinite(v, value));
      } else if (part instanceof JsonNode n && n.isContainerNode()) {
        n.forEach(v -> requireFinite(v, value));
      }
      return;
    }
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException(
          "cannot write session attribute of type "
              + value.getClass().getName()
              + " as JSON: it holds the number "
              + d
              + ", and JSON numbers are finite; store a finite number, or null");
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
