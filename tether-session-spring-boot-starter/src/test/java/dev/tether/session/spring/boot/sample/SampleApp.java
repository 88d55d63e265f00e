package dev.tether.session.spring.boot.sample;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An ordinary Spring Boot app with form login and {@code maximumSessions(1)}: nothing in it names
 * tether-session; the starter on the class path and {@code tether.session.*} properties do it all.
 */
@SpringBootApplication
public class SampleApp {

  /** {@code sample.maximum-sessions}: the limit per user, 1 unless set; 0 for none. */
  @Bean
  SecurityFilterChain security(
      HttpSecurity http, @Value("${sample.maximum-sessions:1}") int maximumSessions)
      throws Exception {
    http.authorizeHttpRequests(a -> a.anyRequest().authenticated())
        .formLogin(Customizer.withDefaults());
    if (maximumSessions > 0) {
      http.sessionManagement(s -> s.maximumSessions(maximumSessions));
    }
    return http.build();
  }

  @Bean
  InMemoryUserDetailsManager users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{noop}alice-pw").roles("USER").build(),
        User.withUsername("bob").password("{noop}bob-pw").roles("USER").build(),
        User.withUsername("carol").password("{noop}carol-pw").roles("USER").build(),
        User.withUsername("dave").password("{noop}dave-pw").roles("USER").build());
  }

  /** Who is logged in. */
  @RestController
  static class Me {
    @GetMapping("/me")
    String me(Authentication auth) {
      return auth.getName();
    }
  }
}
