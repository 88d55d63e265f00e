package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The cookie Tether sets in affinity mode cookie ({@code affinity.cookie}).
 *
 * @param name the cookie name ({@code name}, default TETHER); sent as {@code __Host-<name>} when
 *     {@code hostPrefix} is set
 * @param path {@code path}, default {@code /}
 * @param domain {@code domain}, or {@code null} (host-only cookie)
 * @param maxAge {@code max-age}, or {@code null} for a session cookie
 * @param secure {@code secure}, default false
 * @param httpOnly {@code http-only}, default true
 * @param sameSite {@code same-site: lax | strict | none}, default lax; none requires secure
 * @param hostPrefix {@code host-prefix}, default false; requires secure, path / and no domain
 */
public record CookieConfig(
    String name,
    String path,
    String domain,
    Duration maxAge,
    boolean secure,
    boolean httpOnly,
    SameSite sameSite,
    boolean hostPrefix) {

  /** The cookie's {@code SameSite} attribute. */
  public enum SameSite {
    /** {@code SameSite=Lax}. */
    LAX,
    /** {@code SameSite=Strict}. */
    STRICT,
    /** {@code SameSite=None}; browsers require {@code Secure}. */
    NONE
  }

  public CookieConfig {
    requireNonNull(name, "name");
    requireNonNull(path, "path");
    requireNonNull(sameSite, "sameSite");
  }
}
