package dev.tether.session.spring.boot;

import dev.tether.session.servlet.TetherSessionFilter;

/**
 * Adjusts the auto-configured {@link TetherSessionFilter} before it is built, e.g. to add session
 * listeners: declare beans of this type.
 *
 * <pre>{@code
 * @Bean TetherSessionFilterCustomizer audit() { return b -> b.listener(new AuditListener()); }
 * }</pre>
 */
@FunctionalInterface
public interface TetherSessionFilterCustomizer {

  /** Called once, in bean order, with the filter's builder. */
  void customize(TetherSessionFilter.Builder builder);
}
