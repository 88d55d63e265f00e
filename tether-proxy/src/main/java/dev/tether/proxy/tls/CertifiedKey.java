package dev.tether.proxy.tls;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * A certificate chain (leaf first) with its private key, checked to match.
 *
 * @param names the DNS names the leaf is for (SANs, else its CN), lower case; SNI picks by them
 */
public record CertifiedKey(List<X509Certificate> chain, PrivateKey key, Set<String> names) {
  public CertifiedKey {
    chain = List.copyOf(chain);
    requireNonNull(key, "key");
    names = Set.copyOf(names);
  }

  /** The leaf certificate. */
  public X509Certificate leaf() {
    return chain.getFirst();
  }
}
