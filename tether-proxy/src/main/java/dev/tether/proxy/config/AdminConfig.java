package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * The admin API ({@code admin} section). It never shares the data port, and it must listen on a
 * loopback address unless a bearer token is configured.
 *
 * @param listen where the admin API listens ({@code listen}, default {@code 127.0.0.1:9090})
 * @param token the bearer token ({@code token} or {@code token-env: NAME}), or {@code null}
 * @param auditLog the file state-changing calls are recorded in ({@code audit-log}), or {@code
 *     null} for the {@code dev.tether.audit} logger
 */
public record AdminConfig(HostPort listen, String token, java.nio.file.Path auditLog) {

  /** The admin address when the section gives none. */
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9090);

  public AdminConfig {
    requireNonNull(listen, "listen");
  }

  /** Audit lines to the logger. */
  public AdminConfig(HostPort listen, String token) {
    this(listen, token, null);
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "AdminConfig[listen="
        + listen
        + ", token="
        + (token == null ? "none" : "***")
        + ", auditLog="
        + auditLog
        + "]";
  }
}
