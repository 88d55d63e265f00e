package dev.tether.session.spring.security;

import dev.tether.session.SessionManager;
import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.codec.AttributeSerializer;
import dev.tether.session.codec.JsonAttributeSerializer;
import dev.tether.session.spring.boot.TetherSessionAutoConfiguration;
import dev.tether.session.spring.boot.TetherSessionFilterCustomizer;
import java.security.SecureRandom;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.jackson.SecurityJacksonModules;

/**
 * Spring Security over tether-session, when both are on the class path: the {@link SessionRegistry}
 * that {@code maximumSessions(n)} picks up (cluster-wide through the principal index), and a codec
 * that stores the {@code SecurityContext} and Spring Security's other session values as JSON
 * through Spring Security's Jackson modules. Session-fixation protection needs nothing: Spring
 * Security's default, {@code changeSessionId()}, rotates the Tether id; logout's {@code
 * invalidate()} deletes the session from the store, so it ends on every instance.
 */
@AutoConfiguration(before = TetherSessionAutoConfiguration.class)
@ConditionalOnClass(SessionRegistry.class)
@ConditionalOnProperty(name = "tether.session.enabled", havingValue = "true", matchIfMissing = true)
public class TetherSessionSecurityAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(SessionRegistry.class)
  TetherSessionRegistry tetherSessionRegistry(SessionManager manager) {
    return new TetherSessionRegistry(manager);
  }

  @Bean
  @ConditionalOnClass(
      name = "org.springframework.security.web.context.HttpSessionSecurityContextRepository")
  TetherSessionFilterCustomizer tetherSessionPrincipalIndexing() {
    return b -> b.listener(new SecurityContextPrincipalListener());
  }

  /** The JSON codec, with Spring Security's Jackson 3 modules (Spring Security 7). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({SecurityJacksonModules.class, tools.jackson.databind.json.JsonMapper.class})
  static class Json {
    @Bean
    @ConditionalOnMissingBean
    AttributeCodec tetherSessionAttributeCodec() {
      return codec(new SecurityJsonAttributeSerializer(new JsonAttributeSerializer(), loader()));
    }
  }

  /** The JSON codec with the Jackson 2 modules, for Spring Security 6 (which has no others). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("org.springframework.security.jackson.SecurityJacksonModules")
  @ConditionalOnClass(name = "org.springframework.security.jackson2.SecurityJackson2Modules")
  static class Json2 {
    @Bean
    @ConditionalOnMissingBean
    AttributeCodec tetherSessionAttributeCodec() {
      return codec(
          new SecurityJackson2AttributeSerializer(new JsonAttributeSerializer(), loader()));
    }
  }

  private static AttributeCodec codec(AttributeSerializer serializer) {
    return new AttributeCodec(serializer, AttributeCodec.Options.defaults(), new SecureRandom());
  }

  private static ClassLoader loader() {
    return TetherSessionSecurityAutoConfiguration.class.getClassLoader();
  }
}
