package dev.tether.session.spring.boot.actuate;

import dev.tether.session.SessionManager;
import dev.tether.session.spring.boot.TetherSessionAutoConfiguration;
import dev.tether.session.spring.boot.TetherSessionProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code tethersessions} endpoint, when Actuator is present and the endpoint is exposed. */
@AutoConfiguration(after = TetherSessionAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(SessionManager.class)
public class TetherSessionsEndpointAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(endpoint = TetherSessionsEndpoint.class)
  TetherSessionsEndpoint tetherSessionsEndpoint(
      SessionManager manager,
      TetherSessionProperties properties,
      ObjectProvider<MeterRegistry> registry) {
    return new TetherSessionsEndpoint(manager, properties.getStore(), registry.getIfAvailable());
  }
}
