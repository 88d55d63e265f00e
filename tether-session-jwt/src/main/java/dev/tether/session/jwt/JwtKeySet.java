package dev.tether.session.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The issuer's signing keys and their schedule: each key (a private JWK with a {@code kid}) starts
 * signing at its {@code nbf} ("not before", absent: at once) and signs until the next key's {@code
 * nbf}; every key is published from the moment it is in the set (so a new key is in the JWK set
 * before it signs) until {@code overlap} after the next key took over (so tokens it signed still
 * verify until they expire). Immutable, thread-safe; rotate by building a set with one more key.
 *
 * <p>Rotation, in operator terms: add a key whose {@code nbf} lies at least the JWK set's cache age
 * ({@link JwtEndpoints#jwksMaxAge()}) in the future, to every issuing instance; from its {@code
 * nbf} it signs; remove the old key from the configuration any time after {@code nbf + overlap} (it
 * is no longer published by then anyway). All issuing instances need the same set: a token is
 * verified against the JWK set of whichever instance answered the JWKS request.
 *
 * <pre>{@code
 * JwtKeySet keys = JwtKeySet.parse(Files.readString(Path.of("jwt-keys.json")), Duration.ofMinutes(6));
 * JWK signing = keys.signing(Instant.now());
 * JWKSet published = keys.published(Instant.now());   // public parts only
 * }</pre>
 */
public final class JwtKeySet {

  private final List<Entry> keys; // by signFrom, oldest first
  private final Duration overlap;

  private JwtKeySet(List<Entry> keys, Duration overlap) {
    this.keys = keys;
    this.overlap = overlap;
  }

  /**
   * The keys of {@code jwks}, each a private EC (P-256 → ES256, P-384 → ES384, P-521 → ES512) or
   * RSA (RS256 unless its {@code alg} says PS256, ...) key with a {@code kid}.
   *
   * @param overlap how long a key stays published after the next one took over: at least the token
   *     lifetime plus the verifiers' clock skew
   * @throws IllegalArgumentException naming the key and what is wrong
   */
  public static JwtKeySet of(List<JWK> jwks, Duration overlap) {
    requireNonNull(jwks, "jwks");
    requireNonNull(overlap, "overlap");
    if (jwks.isEmpty()) {
      throw new IllegalArgumentException(
          "the JWT key set is empty; allowed: one or more private JWKs");
    }
    if (overlap.isNegative()) {
      throw new IllegalArgumentException("overlap " + overlap + " is negative");
    }
    List<Entry> entries = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    Set<Instant> starts = new HashSet<>();
    for (JWK k : jwks) {
      String kid = k.getKeyID();
      if (kid == null || kid.isBlank()) {
        throw new IllegalArgumentException("a JWT key has no kid; allowed: keys with a unique kid");
      }
      if (!kids.add(kid)) {
        throw new IllegalArgumentException("JWT key kid '" + kid + "' appears twice");
      }
      if (!k.isPrivate()) {
        throw new IllegalArgumentException(
            "JWT key '" + kid + "' is a public key; the issuer needs the private key (d)");
      }
      JWSAlgorithm alg = algorithm(k);
      Instant from =
          k.getNotBeforeTime() == null ? Instant.EPOCH : k.getNotBeforeTime().toInstant();
      if (!starts.add(from)) {
        throw new IllegalArgumentException(
            "JWT key '" + kid + "' starts signing (nbf) at the same instant as another key");
      }
      entries.add(new Entry(k, alg, from));
    }
    entries.sort(Comparator.comparing(Entry::signFrom));
    return new JwtKeySet(List.copyOf(entries), overlap);
  }

  /** As {@link #of} for a JWK set document ({@code {"keys": [...]}}). */
  public static JwtKeySet parse(String jwkSetJson, Duration overlap) {
    requireNonNull(jwkSetJson, "jwkSetJson");
    try {
      return of(JWKSet.parse(jwkSetJson).getKeys(), overlap);
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          "the JWT key set is not a valid JWK set: " + e.getMessage(), e);
    }
  }

  /** A fresh P-256 (ES256) private key {@code kid} that signs from {@code signFrom}. */
  public static ECKey generateEs256(String kid, Instant signFrom) {
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyID(requireNonNull(kid, "kid"))
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .notBeforeTime(Date.from(requireNonNull(signFrom, "signFrom")))
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("this JVM cannot generate a P-256 key", e);
    }
  }

  /** This set with {@code next} added (a rotation), the same overlap. */
  public JwtKeySet with(JWK next) {
    List<JWK> all = new ArrayList<>(keys.stream().map(Entry::jwk).toList());
    all.add(next);
    return of(all, overlap);
  }

  /** The key that signs at {@code now}: the one with the latest {@code nbf} not after it. */
  public SigningKey signing(Instant now) {
    Entry current = null;
    for (Entry e : keys) {
      if (!e.signFrom.isAfter(now)) {
        current = e;
      }
    }
    if (current == null) {
      throw new IllegalStateException(
          "no JWT key signs yet at " + now + ": the earliest nbf is " + keys.getFirst().signFrom);
    }
    return new SigningKey(current.jwk, current.alg);
  }

  /**
   * The public keys to publish at {@code now}: every key but those whose successor took over more
   * than {@code overlap} ago.
   */
  public JWKSet published(Instant now) {
    List<JWK> out = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      Entry e = keys.get(i);
      Instant retired = i + 1 < keys.size() ? keys.get(i + 1).signFrom.plus(overlap) : null;
      if (retired == null || now.isBefore(retired)) {
        out.add(publicPart(e));
      }
    }
    return new JWKSet(out);
  }

  /** The key ids in the set, oldest first. */
  public List<String> keyIds() {
    return keys.stream().map(e -> e.jwk.getKeyID()).toList();
  }

  private static JWK publicPart(Entry e) {
    JWK pub = e.jwk.toPublicJWK();
    // kty, crv/n/e, kid, use, alg only: the schedule (nbf) is the issuer's business
    if (pub instanceof ECKey ec) {
      return new ECKey.Builder(ec.getCurve(), ec.getX(), ec.getY())
          .keyID(ec.getKeyID())
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(e.alg)
          .build();
    }
    RSAKey rsa = (RSAKey) pub;
    return new RSAKey.Builder(rsa.getModulus(), rsa.getPublicExponent())
        .keyID(rsa.getKeyID())
        .keyUse(KeyUse.SIGNATURE)
        .algorithm(e.alg)
        .build();
  }

  private static JWSAlgorithm algorithm(JWK k) {
    String kid = k.getKeyID();
    if (k.getKeyUse() != null && k.getKeyUse() != KeyUse.SIGNATURE) {
      throw new IllegalArgumentException(
          "JWT key '" + kid + "' has use '" + k.getKeyUse() + "'; allowed: sig");
    }
    if (k instanceof ECKey ec) {
      JWSAlgorithm expected =
          Curve.P_256.equals(ec.getCurve())
              ? JWSAlgorithm.ES256
              : Curve.P_384.equals(ec.getCurve())
                  ? JWSAlgorithm.ES384
                  : Curve.P_521.equals(ec.getCurve()) ? JWSAlgorithm.ES512 : null;
      if (expected == null || k.getAlgorithm() != null && !expected.equals(k.getAlgorithm())) {
        throw new IllegalArgumentException(
            "JWT key '"
                + kid
                + "' is EC "
                + ec.getCurve()
                + " with alg "
                + k.getAlgorithm()
                + "; allowed: P-256 (ES256), P-384 (ES384), P-521 (ES512)");
      }
      return expected;
    }
    if (k instanceof RSAKey rsa) {
      if (rsa.size() < 2048) {
        throw new IllegalArgumentException(
            "JWT key '" + kid + "' is RSA " + rsa.size() + " bits; allowed: 2048 or more");
      }
      JWSAlgorithm alg =
          k.getAlgorithm() == null
              ? JWSAlgorithm.RS256
              : JWSAlgorithm.parse(k.getAlgorithm().getName());
      if (!JWSAlgorithm.Family.RSA.contains(alg)) {
        throw new IllegalArgumentException(
            "JWT key '" + kid + "' is RSA with alg " + alg + "; allowed: RS256..512, PS256..512");
      }
      return alg;
    }
    throw new IllegalArgumentException(
        "JWT key '"
            + kid
            + "' is of type "
            + k.getKeyType()
            + "; allowed: EC (ES256 by default) or RSA");
  }

  /**
   * The key that signs now.
   *
   * @param jwk the private key
   * @param algorithm the JWS algorithm it signs with
   */
  public record SigningKey(JWK jwk, JWSAlgorithm algorithm) {
    public SigningKey {
      requireNonNull(jwk, "jwk");
      requireNonNull(algorithm, "algorithm");
    }
  }

  private record Entry(JWK jwk, JWSAlgorithm alg, Instant signFrom) {}
}
