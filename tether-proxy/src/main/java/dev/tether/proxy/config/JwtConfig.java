package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Verification of a JWT whose claim is the affinity key ({@code affinity.header.jwt}).
 *
 * @param claim the claim ({@code claim}, default sub)
 * @param algorithms accepted {@code alg} values, required (no default, against algorithm
 *     confusion): HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512
 * @param secret the HMAC secret as UTF-8 bytes ({@code secret} or {@code secret-env}), needed
 *     exactly when an HS algorithm is listed; at least 32 bytes; copied out
 * @param jwksFile a JWKS file for RS/PS/ES keys ({@code jwks-file}, relative to the config file),
 *     needed exactly when such an algorithm is listed
 */
public record JwtConfig(String claim, List<String> algorithms, byte[] secret, Path jwksFile) {

  public JwtConfig {
    requireNonNull(claim, "claim");
    algorithms = List.copyOf(algorithms);
    secret = secret == null ? null : secret.clone();
  }

  /** A copy of the HMAC secret, or {@code null}. */
  @Override
  public byte[] secret() {
    return secret == null ? null : secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JwtConfig j
        && claim.equals(j.claim)
        && algorithms.equals(j.algorithms)
        && Arrays.equals(secret, j.secret)
        && Objects.equals(jwksFile, j.jwksFile);
  }

  @Override
  public int hashCode() {
    return Objects.hash(claim, algorithms, Arrays.hashCode(secret), jwksFile);
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "JwtConfig[claim="
        + claim
        + ", algorithms="
        + algorithms
        + ", secret="
        + (secret == null ? "none" : "***")
        + ", jwksFile="
        + jwksFile
        + "]";
  }
}
