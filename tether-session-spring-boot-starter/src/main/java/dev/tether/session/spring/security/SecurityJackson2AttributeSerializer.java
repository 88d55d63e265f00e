package dev.tether.session.spring.security;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.session.codec.AttributeSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@link SecurityJsonAttributeSerializer}'s counterpart for Spring Security 6, which has only the
 * Jackson 2 modules ({@code SecurityJackson2Modules}, allow-listed default typing). Used when
 * Spring Security's Jackson 3 modules are absent. Stored form: {@code
 * {"@t":"spring-security-jackson2","v":<Jackson 2 JSON>}}.
 */
@SuppressWarnings(
    "deprecation") // SecurityJackson2Modules is deprecated in Spring Security 7, the only one in 6
public final class SecurityJackson2AttributeSerializer implements AttributeSerializer {

  private static final byte[] HEAD =
      "{\"@t\":\"spring-security-jackson2\",\"v\":".getBytes(StandardCharsets.UTF_8);

  private final AttributeSerializer others;
  private final ObjectMapper mapper = new ObjectMapper();

  /**
   * Spring Security values with the modules found through {@code loader}; others to {@code others}.
   */
  public SecurityJackson2AttributeSerializer(AttributeSerializer others, ClassLoader loader) {
    this.others = requireNonNull(others, "others");
    mapper.registerModules(
        org.springframework.security.jackson2.SecurityJackson2Modules.getModules(
            requireNonNull(loader, "loader")));
  }

  @Override
  public byte[] serialize(Object value) {
    if (!value.getClass().getName().startsWith("org.springframework.security.")) {
      return others.serialize(value);
    }
    try {
      byte[] json = mapper.writeValueAsBytes(value);
      byte[] out = Arrays.copyOf(HEAD, HEAD.length + json.length + 1);
      System.arraycopy(json, 0, out, HEAD.length, json.length);
      out[out.length - 1] = '}';
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + value.getClass().getName() + " as JSON", e);
    }
  }

  @Override
  public Object deserialize(byte[] bytes) {
    if (bytes.length <= HEAD.length
        || !Arrays.equals(bytes, 0, HEAD.length, HEAD, 0, HEAD.length)) {
      return others.deserialize(bytes);
    }
    try {
      return mapper.readValue(bytes, HEAD.length, bytes.length - HEAD.length - 1, Object.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a stored Spring Security value", e);
    }
  }
}
