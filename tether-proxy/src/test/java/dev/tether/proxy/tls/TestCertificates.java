package dev.tether.proxy.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throwaway certificates for tests, made fresh in a temporary directory: a test CA and leaf
 * certificates it signs (RSA or ECDSA), written as PEM chain + PKCS#8 key files. Nothing here is
 * committed; every key lives only as long as the test's directory.
 */
public final class TestCertificates {

  /** The key type of a certificate. */
  public enum Kind {
    RSA,
    EC
  }

  /** A written leaf: its chain file and key file. */
  public record Files2(Path cert, Path key) {}

  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private final Path dir;
  private final KeyPair caKeys;
  private final X509CertificateHolder ca;
  private final Path caFile;

  private TestCertificates(Path dir) {
    this.dir = dir;
    this.caKeys = keys(Kind.EC);
    X500Name name = new X500Name("CN=Tether Test CA");
    try {
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(name, serial(), from(), to(), name, caKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      this.ca = b.build(signer(caKeys));
      this.caFile = dir.resolve("test-ca.pem");
      Files.writeString(caFile, pem("CERTIFICATE", ca.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new test CA writing into {@code dir}. */
  public static TestCertificates in(Path dir) {
    return new TestCertificates(dir);
  }

  /** The CA certificate's PEM file (for {@code curl --cacert}, {@code ca-file}). */
  public Path caFile() {
    return caFile;
  }

  /**
   * A leaf for {@code dnsNames} (and 127.0.0.1) written to {@code <base>.pem} and {@code
   * <base>.key}.
   */
  public Files2 issue(String base, Kind kind, String... dnsNames) {
    KeyPair kp = keys(kind);
    List<GeneralName> names = new ArrayList<>();
    for (String n : dnsNames) {
      names.add(new GeneralName(GeneralName.dNSName, n));
    }
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    try {
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              ca.getSubject(),
              serial(),
              from(),
              to(),
              new X500Name("CN=" + dnsNames[0]),
              kp.getPublic());
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      X509CertificateHolder leaf = b.build(signer(caKeys));
      Path cert = dir.resolve(base + ".pem");
      Path key = dir.resolve(base + ".key");
      Files.writeString(
          cert, pem("CERTIFICATE", leaf.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()));
      Files.writeString(key, pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
      return new Files2(cert, key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** PEM text of {@code der} under {@code label}. */
  public static String pem(String label, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  static KeyPair keys(Kind kind) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(kind == Kind.RSA ? "RSA" : "EC");
      if (kind == Kind.RSA) {
        g.initialize(2048);
      } else {
        g.initialize(new ECGenParameterSpec("secp256r1"));
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ContentSigner signer(KeyPair kp) {
    try {
      String alg =
          kp.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      return new JcaContentSignerBuilder(alg).build(kp.getPrivate());
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static Date from() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date to() {
    return Date.from(Instant.now().plus(Duration.ofDays(2)));
  }
}
