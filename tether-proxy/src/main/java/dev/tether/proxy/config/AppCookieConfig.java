package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * Affinity on the application's own session cookie ({@code affinity.app-cookie}).
 *
 * @param name the app's cookie ({@code name}, default JSESSIONID)
 * @param routeSeparator separates a route suffix in the value, as in {@code abc123.s2} ({@code
 *     route-separator}, default {@code .}); 1..4 characters
 * @param learn whether {@code Set-Cookie} responses teach the stick table ({@code learn}, default
 *     true)
 */
public record AppCookieConfig(String name, String routeSeparator, boolean learn) {

  public AppCookieConfig {
    requireNonNull(name, "name");
    requireNonNull(routeSeparator, "routeSeparator");
  }
}
