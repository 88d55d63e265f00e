package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * The admin API ({@code admin} section). It never shares the data port, and it must listen on a
 * loopback address unless a bearer token is configured.
 *
 * @param listen where the admin API listens ({@code listen}, default {@code 127.0.0.1:9090})
 * @param token the bearer token ({@code token} or {@code token-env: NAME}), or {@code null}
 */
public record AdminConfig(HostPort listen, String token) {

  /** The admin address when the section gives none. */
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9090);

  public AdminConfig {
    requireNonNull(listen, "listen");
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "AdminConfig[listen=" + listen + ", token=" + (token == null ? "none" : "***") + "]";
  }
}
