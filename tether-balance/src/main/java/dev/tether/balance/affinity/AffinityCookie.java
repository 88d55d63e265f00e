package dev.tether.balance.affinity;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * The attributes of the cookie Tether sets (RFC 6265bis): name, path, domain, max-age (negative =
 * session cookie), Secure, HttpOnly, SameSite and the {@code __Host-} prefix.
 *
 * @param sameSite {@code Lax}, {@code Strict}, {@code None} or {@code null} to omit the attribute
 */
public record AffinityCookie(
    String name,
    String path,
    String domain,
    long maxAgeSeconds,
    boolean secure,
    boolean httpOnly,
    String sameSite,
    boolean hostPrefix) {

  public AffinityCookie {
    requireNonNull(name, "name");
    requireNonNull(path, "path");
    if (sameSite != null && !sameSite.matches("(?i)lax|strict|none")) {
      throw new IllegalArgumentException(
          "SameSite " + sameSite + " is not one of Lax, Strict, None");
    }
    if (sameSite != null && sameSite.equalsIgnoreCase("none") && !secure) {
      throw new IllegalArgumentException(
          "SameSite=None needs Secure (browsers drop the cookie otherwise)");
    }
    if (hostPrefix && (!secure || !"/".equals(path) || domain != null)) {
      throw new IllegalArgumentException("the __Host- prefix needs Secure, path / and no domain");
    }
  }

  /** A session cookie called {@code name} on path {@code /}, HttpOnly, SameSite=Lax. */
  public static AffinityCookie named(String name) {
    return new AffinityCookie(name, "/", null, -1, false, true, "Lax", false);
  }

  /** The name on the wire, with the {@code __Host-} prefix when configured. */
  public String wireName() {
    return hostPrefix ? "__Host-" + name : name;
  }

  /** The attributes after the value, e.g. {@code ; Path=/; HttpOnly; SameSite=Lax}. */
  public String attributes() {
    StringBuilder sb = new StringBuilder(64);
    sb.append("; Path=").append(path);
    if (domain != null) {
      sb.append("; Domain=").append(domain);
    }
    if (maxAgeSeconds >= 0) {
      sb.append("; Max-Age=").append(maxAgeSeconds);
    }
    if (secure) {
      sb.append("; Secure");
    }
    if (httpOnly) {
      sb.append("; HttpOnly");
    }
    if (sameSite != null) {
      String s = sameSite.toLowerCase(Locale.ROOT);
      sb.append("; SameSite=").append(Character.toUpperCase(s.charAt(0))).append(s, 1, s.length());
    }
    return sb.toString();
  }
}
