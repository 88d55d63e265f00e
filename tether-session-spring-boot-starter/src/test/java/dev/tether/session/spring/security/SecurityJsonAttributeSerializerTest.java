package dev.tether.session.spring.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.session.codec.JsonAttributeSerializer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.csrf.DefaultCsrfToken;

class SecurityJsonAttributeSerializerTest {

  private final SecurityJsonAttributeSerializer json =
      new SecurityJsonAttributeSerializer(
          new JsonAttributeSerializer(), getClass().getClassLoader());

  @Test
  void aSecurityContextRoundTripsAsJson() {
    User alice = (User) User.withUsername("alice").password("secret").roles("USER").build();
    SecurityContextImpl context =
        new SecurityContextImpl(
            UsernamePasswordAuthenticationToken.authenticated(
                eraseCredentials(alice), null, alice.getAuthorities()));

    byte[] bytes = json.serialize(context);

    String text = new String(bytes, StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith("{\"@t\":\"spring-security\",\"v\":{")
        .contains("\"alice\"")
        .doesNotContain("secret");
    assertThat(bytes[0]).isNotEqualTo((byte) 0xAC); // not a Java serialisation stream
    SecurityContextImpl back = (SecurityContextImpl) json.deserialize(bytes);
    assertThat(back.getAuthentication().getName()).isEqualTo("alice");
    assertThat(back.getAuthentication().isAuthenticated()).isTrue();
    assertThat(back.getAuthentication().getAuthorities())
        .extracting(Object::toString)
        .containsExactly("ROLE_USER");
  }

  @Test
  void theJackson2VariantForSpringSecurity6RoundTripsAContextToo() {
    SecurityJackson2AttributeSerializer json2 =
        new SecurityJackson2AttributeSerializer(
            new JsonAttributeSerializer(), getClass().getClassLoader());
    User bob =
        eraseCredentials((User) User.withUsername("bob").password("secret").roles("ADMIN").build());
    byte[] bytes =
        json2.serialize(
            new SecurityContextImpl(
                UsernamePasswordAuthenticationToken.authenticated(
                    bob, null, bob.getAuthorities())));
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .startsWith("{\"@t\":\"spring-security-jackson2\",\"v\":{");
    SecurityContextImpl back = (SecurityContextImpl) json2.deserialize(bytes);
    assertThat(back.getAuthentication().getName()).isEqualTo("bob");
    assertThat(json2.deserialize(json2.serialize(List.of("plain")))).isEqualTo(List.of("plain"));
  }

  @Test
  void aCsrfTokenRoundTrips() {
    DefaultCsrfToken token = new DefaultCsrfToken("X-CSRF-TOKEN", "_csrf", "t0k3n");
    DefaultCsrfToken back = (DefaultCsrfToken) json.deserialize(json.serialize(token));
    assertThat(back.getToken()).isEqualTo("t0k3n");
  }

  @Test
  void otherValuesGoToTheWrappedSerializer() {
    Object value = Map.of("cart", List.of(1, 2));
    assertThat(json.deserialize(json.serialize(value))).isEqualTo(value);
    assertThat(new String(json.serialize("x"), StandardCharsets.UTF_8)).isEqualTo("\"x\"");
  }

  @Test
  void aClassNamedInTheBytesIsNotInstantiated() {
    byte[] forged =
        "{\"@t\":\"spring-security\",\"v\":[\"java.util.concurrent.atomic.AtomicLong\",5]}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> json.deserialize(forged))
        .hasMessageContaining("AtomicLong")
        .hasMessageContaining("denied resolution");
  }

  private static User eraseCredentials(User u) {
    u.eraseCredentials();
    return u;
  }
}
