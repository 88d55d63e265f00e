package dev.tether.session.spring.security;

import static java.util.Objects.requireNonNull;

import dev.tether.session.codec.AttributeSerializer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.springframework.security.jackson.SecurityJacksonModules;
import tools.jackson.databind.json.JsonMapper;

/**
 * Session attributes as JSON, with Spring Security's own values (the {@code SecurityContext}, a
 * saved request, a CSRF token) written through Spring Security's Jackson modules, so a logged-in
 * user's context survives on another instance without Java deserialisation. Everything else goes to
 * the serializer this one wraps (tether-session's JSON by default).
 *
 * <p>Stored form of a Spring Security value: {@code {"@t":"spring-security","v":<Jackson JSON>}},
 * the same envelope tether-session's JSON serializer uses for registered classes. The modules only
 * accept Spring Security's types and those the application allow-lists with them, never a class
 * named by the bytes alone.
 *
 * <pre>{@code
 * AttributeCodec codec = new AttributeCodec(
 *     new SecurityJsonAttributeSerializer(new JsonAttributeSerializer(), loader), Options.defaults(), random);
 * }</pre>
 */
public final class SecurityJsonAttributeSerializer implements AttributeSerializer {

  private static final byte[] HEAD =
      "{\"@t\":\"spring-security\",\"v\":".getBytes(StandardCharsets.UTF_8);

  private final AttributeSerializer others;
  private final JsonMapper mapper;

  /**
   * Spring Security values with the modules found through {@code loader}; others to {@code others}.
   */
  public SecurityJsonAttributeSerializer(AttributeSerializer others, ClassLoader loader) {
    this.others = requireNonNull(others, "others");
    this.mapper =
        JsonMapper.builder()
            .addModules(SecurityJacksonModules.getModules(requireNonNull(loader, "loader")))
            .build();
  }

  @Override
  public byte[] serialize(Object value) {
    if (!isSecurityValue(value)) {
      return others.serialize(value);
    }
    byte[] json = mapper.writeValueAsBytes(value);
    byte[] out = Arrays.copyOf(HEAD, HEAD.length + json.length + 1);
    System.arraycopy(json, 0, out, HEAD.length, json.length);
    out[out.length - 1] = '}';
    return out;
  }

  @Override
  public Object deserialize(byte[] bytes) {
    if (bytes.length <= HEAD.length
        || !Arrays.equals(bytes, 0, HEAD.length, HEAD, 0, HEAD.length)) {
      return others.deserialize(bytes);
    }
    return mapper.readValue(bytes, HEAD.length, bytes.length - HEAD.length - 1, Object.class);
  }

  private static boolean isSecurityValue(Object value) {
    return value.getClass().getName().startsWith("org.springframework.security.");
  }
}
