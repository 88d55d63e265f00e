package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * Affinity on the client address ({@code affinity.source-ip}); forwarded addresses are believed
 * only from {@code trusted-proxies}.
 *
 * @param ipv4Prefix leading bits of an IPv4 address that form the key ({@code ipv4-prefix}, 32)
 * @param ipv6Prefix leading bits of an IPv6 address that form the key ({@code ipv6-prefix}, 128)
 * @param method {@code method: hash | table}, default hash
 */
public record SourceIpConfig(int ipv4Prefix, int ipv6Prefix, AffinityConfig.Method method) {

  public SourceIpConfig {
    requireNonNull(method, "method");
  }
}
